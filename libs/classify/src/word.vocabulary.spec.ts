import { MAX_WORD_LENGTH, WordVocabulary, wordBucket, wordHash } from './word.vocabulary';

describe('WordVocabulary', () => {
  const vocabulary = new WordVocabulary([
    '拖欠',
    '拖欠工资',
    '工资',
    '血汗钱',
    '讨',
    '一二三四五六七',
  ]);

  it('cuts by forward maximum matching, unknown characters alone', () => {
    expect(vocabulary.tokens('老板拖欠工资讨要血汗钱')).toEqual([
      '老',
      '板',
      '拖欠工资',
      '讨',
      '要',
      '血汗钱',
    ]);
    expect(vocabulary.tokens('工资拖欠')).toEqual(['工资', '拖欠']);
    expect(vocabulary.tokens('')).toEqual([]);
  });

  it('keeps words of 2..MAX_WORD_LENGTH units only', () => {
    expect(vocabulary.words).toEqual(['拖欠', '拖欠工资', '工资', '血汗钱']);
    expect(MAX_WORD_LENGTH).toBeLessThan(7);
    expect(vocabulary.tokens('一二三四五六七')).toHaveLength(7);
  });

  it('gives each token the hash of its string, and the inference loop the same buckets', () => {
    const text = '老板拖欠工资讨要血汗钱，工资';
    const hashes: number[] = [];
    vocabulary.forEachToken(text, (h) => hashes.push(h));
    expect(hashes).toEqual(vocabulary.tokens(text).map(wordHash));
    const out = new Int32Array(text.length + 3);
    const end = vocabulary.writeBuckets(text, out, 3, 32 - 16);
    expect(end).toBe(3 + hashes.length);
    expect(Array.from(out.subarray(3, end))).toEqual(hashes.map((h) => wordBucket(h, 32 - 16)));
  });

  it('is a set: a word twice is one entry, a word not added is absent', () => {
    const twice = new WordVocabulary(['工资', '工资', '欠薪']);
    expect(twice.has(wordHash('工资'))).toBe(true);
    expect(twice.has(wordHash('欠薪'))).toBe(true);
    expect(twice.has(wordHash('工钱'))).toBe(false);
  });
});
