import { forEachNgramBucket } from './ngram.hasher';

function buckets(text: string, minN: number, maxN: number, bits = 16): number[] {
  const out: number[] = [];
  forEachNgramBucket(text, { minN, maxN, bits }, (b) => out.push(b));
  return out;
}

describe('forEachNgramBucket', () => {
  it('visits every n-gram once', () => {
    expect(buckets('噪音扰民', 1, 1)).toHaveLength(4);
    expect(buckets('噪音扰民', 2, 2)).toHaveLength(3);
    expect(buckets('噪音扰民', 1, 3)).toHaveLength(4 + 3 + 2);
    expect(buckets('', 1, 3)).toHaveLength(0);
  });

  it('hashes an n-gram the same wherever it occurs', () => {
    const [first] = buckets('扰民', 2, 2);
    const inside = buckets('噪音扰民严重', 2, 2);
    expect(inside[2]).toBe(first);
    expect(inside.filter((b) => b === first)).toHaveLength(1);
  });

  it('keeps buckets within 2^bits and spreads them', () => {
    const all = buckets('城乡建设劳动和社会保障教育文体商贸旅游环境保护卫生计生交通运输', 1, 3, 10);
    expect(all.every((b) => b >= 0 && b < 1024)).toBe(true);
    expect(new Set(all).size).toBeGreaterThan(all.length * 0.8);
  });

  it('keeps the hash of the model format (fnv1a-ms-v1): trained models depend on it', () => {
    // Values from the first release of the hash; a change here invalidates every model file.
    expect(buckets('扰民a1', 1, 2)).toEqual([33129, 8675, 58517, 6190, 35825, 10171, 61309]);
  });
});
