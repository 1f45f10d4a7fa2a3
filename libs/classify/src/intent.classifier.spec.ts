import fc from 'fast-check';
import { matchText } from '@app/text';
import { IntentClassifier, classifyIntent, parseIntentLexicon } from './intent.classifier';
import type { Intent, IntentLexicon, IntentResult } from './intent.classifier';

describe('classifyIntent (config/intents.yaml)', () => {
  it.each([
    ['小区旁工地夜间施工噪音扰民，强烈要求处理', 'complaint'],
    ['投诉某物业公司乱收停车费', 'complaint'],
    ['尊敬的领导：路灯坏了很久了。谢谢！', 'complaint'],
    ['建议在学校门口增设红绿灯，方便学生过马路', 'suggestion'],
    ['关于增加公交线路的人民建议', 'suggestion'],
    ['请问社保卡丢了怎么办理补办？', 'consultation'],
    ['咨询：外地户口的孩子是否可以在本地参加中考', 'consultation'],
    ['实名举报某局长贪污受贿', 'report'],
    ['举报村干部违纪挪用扶贫款', 'report'],
    ['感谢信：感谢社区为我们解决了供气问题，特送锦旗', 'thanks'],
    ['表扬交警大队的民警热心帮助群众', 'thanks'],
    ['', 'complaint'],
  ])('%s → %s', (text, intent) => {
    expect(classifyIntent(text).intent).toBe(intent);
  });

  it('is more confident when one intent dominates than on a bare default', () => {
    const strong = classifyIntent('实名举报：局长贪污受贿，违纪违法');
    const none = classifyIntent('路灯坏了');
    expect(none).toEqual({ intent: 'complaint', confidence: 0.5 });
    expect(strong.confidence).toBeGreaterThan(0.8);
    expect(strong.confidence).toBeLessThanOrEqual(1);
  });

  it('accepts Traditional and full-width input', () => {
    expect(classifyIntent('請問社保卡怎麼辦理？').intent).toBe('consultation');
  });

  it('uses the configured default and order for ties', () => {
    const clf = new IntentClassifier(
      parseIntentLexicon({
        default: 'consultation',
        intents: [
          { intent: 'thanks', keywords: { 好: 1 } },
          { intent: 'report', keywords: { 好: 1 } },
        ],
      }),
    );
    expect(clf.classify('很好').intent).toBe('thanks');
    expect(clf.classify('无关').intent).toBe('consultation');
  });

  it.each([
    [[], /\(root\)/],
    [{ default: 'angry', intents: [] }, /default/],
    [{ intents: [{ intent: 'x', keywords: { a: 1 } }] }, /intents\[0\]\.intent/],
    [{ intents: [{ intent: 'report', keywords: {} }] }, /intents\[0\]\.keywords/],
    [{ intents: [{ intent: 'report', keywords: { 举报: 0 } }] }, /intents\[0\]\.keywords\.举报/],
    [{ intents: [{ intent: 'report', keywords: { '举 报': 1 } }] }, /matchText/],
  ])('rejects a bad lexicon %j naming the field', (doc, field) => {
    expect(() => parseIntentLexicon(doc)).toThrow(field);
  });
});

describe('IntentClassifier keyword index', () => {
  // The straightforward scoring the index replaces: one includes() per keyword, in lexicon order.
  function naive(lexicon: IntentLexicon, t: string): IntentResult {
    let best: Intent = lexicon.default;
    let bestScore = 0;
    let total = 0;
    for (const { intent, keywords } of lexicon.intents) {
      let score = 0;
      for (const [word, weight] of keywords) if (t.includes(word)) score += weight;
      total += score;
      if (score > bestScore) {
        best = intent;
        bestScore = score;
      }
    }
    return { intent: best, confidence: (bestScore + 1) / (total + 2) };
  }

  it('scores exactly like one includes() per keyword, overlapping and repeated keywords included', () => {
    const lexicon = parseIntentLexicon({
      default: 'complaint',
      intents: [
        { intent: 'report', keywords: { 举报: 3, 实名举报: 2, 举: 0.1, 报: 0.7 } },
        { intent: 'thanks', keywords: { 感谢: 1.1, 谢: 0.3, 感谢信: 3 } },
        { intent: 'consultation', keywords: { 请问: 1, 问: 0.2, abc: 0.4 } },
      ],
    });
    const clf = new IntentClassifier(lexicon);
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...'举报实名感谢信请问abc，好'), { maxLength: 20 }),
        (chars) => {
          const text = chars.join('');
          expect(clf.classify(text)).toEqual(naive(lexicon, matchText(text)));
          // The judge's path: the caller already holds the matchText form.
          expect(clf.classifyMatchText(matchText(text))).toEqual(naive(lexicon, matchText(text)));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
