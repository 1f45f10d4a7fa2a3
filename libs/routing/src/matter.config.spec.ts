import { join } from 'node:path';
import { loadMatterLexicon, MAX_MATTER_GROUPS, parseMatterLexicon } from './matter.config';
import { RoutingConfigError } from './routing-config.error';

const shipped = loadMatterLexicon(join(__dirname, '..', '..', '..', 'config', 'matters.yaml'));

/** The ids of the groups a mask names. */
const named = (lexicon: typeof shipped, text: string): string[] =>
  lexicon.groups.filter((_, i) => (lexicon.mask(text) >>> i) & 1).map((g) => g.id);

function parseError(raw: unknown): RoutingConfigError {
  try {
    parseMatterLexicon(raw, 'm.yaml');
  } catch (error) {
    if (error instanceof RoutingConfigError) return error;
    throw error;
  }
  throw new Error('expected a RoutingConfigError');
}

describe('matter lexicon', () => {
  const small = parseMatterLexicon({ groups: { fumes: ['油烟'], noise: ['噪音', '吵'] } });

  it('sets one bit per group named, whatever the number of hits', () => {
    expect(small.mask('楼下饭店油烟大油烟直排')).toBe(0b01);
    expect(small.mask('油烟和噪音都很吵')).toBe(0b11);
    expect(small.mask('小区门口路灯不亮')).toBe(0);
    expect(small.mask('')).toBe(0);
  });

  it('matches Traditional spellings of its Simplified terms', () => {
    expect(small.mask('樓下飯店油煙噪音')).toBe(0b11);
  });

  it('a mask of the 32nd group is a positive 32-bit number', () => {
    const groups = Object.fromEntries(
      Array.from({ length: MAX_MATTER_GROUPS }, (_, i) => [`g${i}`, [`词${i}号`]]),
    );
    const lexicon = parseMatterLexicon({ groups });
    expect(lexicon.mask(`这是词${MAX_MATTER_GROUPS - 1}号`)).toBe(2 ** 31);
  });

  it.each([
    ['no group', { groups: {} }, 'groups', 'at least one group'],
    ['a misspelt key', { group: { a: ['噪音'] } }, 'group', 'unknown key'],
    ['an empty group', { groups: { noise: [] } }, 'groups.noise', 'at least one term'],
    ['a group that is not a list', { groups: { noise: '噪音' } }, 'groups.noise', 'must be a list'],
    [
      'a term with a space',
      { groups: { noise: ['噪 音'] } },
      'groups.noise[0]',
      'no spaces, punctuation or capitals',
    ],
    [
      'a term with punctuation',
      { groups: { noise: ['噪音', '吵！'] } },
      'groups.noise[1]',
      'no spaces',
    ],
    [
      'a term in two groups',
      { groups: { a: ['噪音'], b: ['噪音'] } },
      'groups.b[0]',
      'already a term of a',
    ],
    [
      'more groups than mask bits',
      {
        groups: Object.fromEntries(
          Array.from({ length: MAX_MATTER_GROUPS + 1 }, (_, i) => [`g${i}`, [`词${i}号`]]),
        ),
      },
      'groups',
      'at most 32',
    ],
  ])('refuses %s', (_name, raw, field, problem) => {
    const error = parseError(raw);
    expect(error.message).toContain(`m.yaml: ${field}`);
    expect(error.message).toContain(problem);
  });

  it('the shipped lexicon tells matters at one estate apart', () => {
    expect(named(shipped, '魅力之城小区临街餐饮店油烟直排')).toEqual(
      expect.arrayContaining(['fumes-and-odour']),
    );
    expect(named(shipped, '魅力之城小区外墙渗水严重')).toEqual(['leaks-and-drainage']);
    expect(named(shipped, '魅力之城小区夜间施工噪音扰民')).toEqual(
      expect.arrayContaining(['noise', 'construction-site']),
    );
    expect(shipped.mask('魅力之城小区外墙渗水严重') & shipped.mask('小区餐饮店油烟直排')).toBe(0);
    expect(shipped.mask('请问魅力之城小区归哪个社区管')).toBe(0);
  });
});
