import { BucketIndex } from './bucket-index';
import { pushSeq } from './record.codec';

describe('BucketIndex', () => {
  it('lists the newest cap entries first, like a capped list', () => {
    const index = new BucketIndex();
    for (let s = 1; s <= 30; s++) index.push(7, s);
    expect(index.list(7, 24)).toEqual(Array.from({ length: 24 }, (_, i) => 30 - i));
    expect(index.list(8, 24)).toEqual([]);
  });

  it('keeps seqs past 2^31 (stored as 32-bit words)', () => {
    const index = new BucketIndex();
    for (const seq of [0x7fffffff, 0x80000000, 0xfffffffe]) index.push(3, seq);
    expect(index.list(3, 5)).toEqual([0xfffffffe, 0x80000000, 0x7fffffff]);
  });

  it('a seq pushed twice in a row to one bucket is one entry', () => {
    const index = new BucketIndex();
    index.push(1, 5);
    index.push(1, 5);
    expect(index.list(1, 10)).toEqual([5]);
  });

  it('matches capped lists on many random buckets while growing', () => {
    const index = new BucketIndex();
    const lists = new Map<number, number[]>();
    let x = 1;
    for (let seq = 1; seq <= 20_000; seq++) {
      for (let j = 0; j < 3; j++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        const key = x % 5000;
        index.push(key, seq);
        lists.set(key, pushSeq(lists.get(key) ?? [], seq, 4));
      }
    }
    for (const [key, list] of lists) expect(index.list(key, 4)).toEqual(list);
    expect(index.buckets).toBe(lists.size);
  });

  it('listsInto over reused arrays gives what list gives for each bucket, longer or shorter than before', () => {
    const index = new BucketIndex();
    for (let s = 1; s <= 40; s++) index.push(s % 3, s);
    for (let s = 41; s <= 45; s++) index.push(5, s);
    const reused = [
      [7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7],
      [7],
      [],
      [7, 7],
    ];
    for (const [keys, cap] of [
      [[0, 1, 2, 9], 24],
      [[1, 5, 0], 3],
      [[5, 9, 2, 0, 1], 24],
      [[9], 24],
      [[], 24],
    ] as const) {
      expect(index.listsInto(keys, cap, reused)).toBe(reused);
      expect(reused).toEqual(keys.map((k) => index.list(k, cap)));
    }
  });
});
