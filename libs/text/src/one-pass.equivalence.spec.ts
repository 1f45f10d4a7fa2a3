import fc from 'fast-check';
import { readJsonl } from '../../../test/support/shared-data';
import { normalizeBody } from './body.normalizer';
import { normalizeBodyReference } from './body.reference';
import { conversionTables } from './chinese-script.tables';
import { matchText } from './match-text.normalizer';
import { matchTextReference } from './match-text.reference';

// normalizeBody and matchText are one-pass rewrites of the step-by-step reference versions; they
// must give exactly the same strings. Real messages are read at run time from the shared data.

function mismatches(inputs: Iterable<string>): string[] {
  const bad: string[] = [];
  for (const s of inputs) {
    if (normalizeBody(s) !== normalizeBodyReference(s))
      bad.push(`normalizeBody ${JSON.stringify(s)}`);
    if (matchText(s) !== matchTextReference(s)) bad.push(`matchText ${JSON.stringify(s)}`);
    if (bad.length > 10) break;
  }
  return bad;
}

// Units that interact with their neighbours under NFKC, masks, greetings, phrases, HTML, spaces.
const POOL = [
  ...'ab xX*×＊：:电话号码身份证手机qq微信邮箱您好谢领导尊敬的乾隆燥县後皇后於\n\r\t<>&;#p/12５６①…ＡΣİßﬁ㎡',
  '\u3000',
  '\u00a0',
  '\u200b',
  '\u0000',
  '\u0301',
  '\u3099',
  '\uff9e',
  'ｶ',
  'ㄱ',
  'ㅏ',
  '\u1100',
  '\u1161',
  '\u11a8',
  '가',
  '\u2028',
  '\ufeff',
  '\ufdd0',
  '𠮷',
  '\ud842',
  '&nbsp;',
  '<p>',
  '</b>',
];

describe('one-pass normalizeBody and matchText = reference implementations', () => {
  it('agree on every BMP code unit, alone and between neighbours it could combine with', () => {
    const contexts = (c: string): string[] => [
      c,
      `乾${c}隆`,
      `x${c}x`,
      `${c}\u0301`,
      `\u1100${c}`,
      `${c}\u3099 ${c}`,
      ` ${c}\n`,
    ];
    function* all(): Iterable<string> {
      for (let c = 0; c < 0x10000; c++) yield* contexts(String.fromCharCode(c));
    }
    expect(mismatches(all())).toEqual([]);
  });

  it('agree on random strings of troublesome units', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...POOL), { maxLength: 16 }), (parts) => {
        expect(mismatches([parts.join('')])).toEqual([]);
      }),
      { numRuns: 5000 },
    );
  });

  it('agree on every real message (title, text, both) of the shared data', () => {
    const files = [
      'dev_labeled.jsonl',
      'messages_unlabeled.jsonl',
      'messages_with_likes.jsonl',
      'messages_with_replies.jsonl',
    ];
    const inputs: string[] = [];
    for (const file of files) {
      for (const { title = '', text = '' } of readJsonl<{ title?: string; text?: string }>(file))
        inputs.push(title, text, `${title}\n${text}`);
    }
    expect(inputs.length).toBeGreaterThan(10_000);
    expect(mismatches(inputs)).toEqual([]);
  });

  it('relies on dictionary facts that hold: phrases have two or more units, and every phrase that changes text contains a convertible unit', () => {
    const { phrases, convertible } = conversionTables;
    for (const list of phrases.values()) {
      for (const { from, to } of list) {
        expect(from.length).toBeGreaterThanOrEqual(2);
        if (from !== to)
          expect([...from].some((c) => convertible[c.charCodeAt(0)] === 1)).toBe(true);
      }
    }
  });
});
