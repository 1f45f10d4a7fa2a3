import {
  MINHASH_SIZE,
  bandKeysOf,
  estimateSimilarity,
  fingerprint,
  fingerprintFromSignature,
} from './min-hash.fingerprint';
import { seededRandom as rng } from '../../../test/support/seeded-random';

/** A text of distinct CJK characters, so its 3-grams are distinct too. */
function cjk(from: number, count: number): string {
  return Array.from({ length: count }, (_, i) => String.fromCharCode(0x4e00 + from + i)).join('');
}

function shingles(text: string): Set<string> {
  const cps = Array.from(text);
  const out = new Set<string>();
  for (let i = 0; i + 3 <= cps.length; i++) out.add(cps.slice(i, i + 3).join(''));
  return out;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let both = 0;
  for (const x of a) if (b.has(x)) both++;
  return both / (a.size + b.size - both);
}

describe('one-permutation MinHash', () => {
  it('estimates Jaccard like the exact value on generated text pairs (mean error small, no bias)', () => {
    const r = rng(3);
    let sumErr = 0;
    let sumSigned = 0;
    const n = 300;
    for (let t = 0; t < n; t++) {
      // A shared core plus own parts: Jaccard spread over 0..1, lengths 20..800 characters.
      const core = cjk(Math.floor(r() * 10_000), 10 + Math.floor(r() * 400));
      const a = cjk(10_000 + Math.floor(r() * 5000), Math.floor(r() * 200)) + core;
      const b = core + cjk(16_000 + Math.floor(r() * 5000), Math.floor(r() * 200));
      const exact = jaccard(shingles(a), shingles(b));
      const est = estimateSimilarity(fingerprint(a).signature, fingerprint(b).signature);
      // 64 bins: the standard deviation is at most sqrt(J(1-J)/64) ≤ 0.0625.
      expect(Math.abs(est - exact)).toBeLessThan(0.25);
      sumErr += Math.abs(est - exact);
      sumSigned += est - exact;
    }
    expect(sumErr / n).toBeLessThan(0.05);
    expect(Math.abs(sumSigned / n)).toBeLessThan(0.015);
  });

  it('stays unbiased on edited copies over a small alphabet (shingles that share characters)', () => {
    // Neighbouring shingles share two characters: the hash must still give independent minima.
    const r = rng(9);
    const alphabet = cjk(0, 300);
    let sumSigned = 0;
    const n = 400;
    for (let t = 0; t < n; t++) {
      const len = 60 + Math.floor(r() * 600);
      const a = Array.from({ length: len }, () => alphabet[Math.floor(r() * 300)]);
      const b = [...a];
      for (let e = Math.floor(r() * len * 0.1); e > 0; e--)
        b[Math.floor(r() * len)] = alphabet[Math.floor(r() * 300)];
      const cut = Math.floor(r() * len);
      const x = a.join('');
      const y = b.slice(cut).join('') + b.slice(0, cut).join('');
      const est = estimateSimilarity(fingerprint(x).signature, fingerprint(y).signature);
      sumSigned += est - jaccard(shingles(x), shingles(y));
    }
    expect(Math.abs(sumSigned / n)).toBeLessThan(0.01);
  });

  it('mixes every input bit of a shingle into the stored bits (strict avalanche)', () => {
    // A 3-character text is one shingle whose hash fills every bin, so signature[0] shows the
    // low 16 bits of the shingle hash. Changing one bit of one character must flip each of those
    // bits half the time. A hash without a final avalanche (a multiply, adds and xors only) fails
    // at once: output bit k then depends only on input bits <= k, so the lowest flipped bit always
    // flips and the bits below it never do. Such a hash passes the Jaccard tests above.
    const r = rng(21);
    const trials = 400;
    const low16 = (cps: number[]): number =>
      fingerprint(String.fromCharCode(...cps)).signature[0] ?? 0;
    let worst = 0;
    for (let position = 0; position < 3; position++) {
      for (let bit = 0; bit < 8; bit++) {
        const flips = new Array<number>(16).fill(0);
        for (let t = 0; t < trials; t++) {
          const cps = [0, 1, 2].map(() => 0x4e00 + Math.floor(r() * 0x5000));
          const before = low16(cps);
          cps[position] = (cps[position] ?? 0) ^ (1 << bit);
          const changed = before ^ low16(cps);
          for (let out = 0; out < 16; out++)
            flips[out] = (flips[out] ?? 0) + ((changed >>> out) & 1);
        }
        for (const f of flips) worst = Math.max(worst, Math.abs(f / trials - 0.5));
      }
    }
    // 384 cells of 400 trials: a good hash stays within ~4 standard deviations (0.1).
    expect(worst).toBeLessThan(0.15);
  });

  it('counts distinct shingles exactly', () => {
    expect(fingerprint('abcabcabc').shingleCount).toBe(3); // abc bca cab
    expect(fingerprint(cjk(0, 500)).shingleCount).toBe(498);
    expect(fingerprint('').shingleCount).toBe(0);
  });

  it('densifies tiny texts: every bin is filled, equal texts agree, different ones do not', () => {
    for (const text of ['a', '投诉', '噪音大', '小区停车']) {
      const fp = fingerprint(text);
      expect(fp.signature).toHaveLength(MINHASH_SIZE);
      expect(fp.bandKeys).toHaveLength(16);
      expect(estimateSimilarity(fp.signature, fingerprint(text).signature)).toBe(1);
    }
    expect(fingerprint('a').shingleCount).toBe(1);
    expect(fingerprint('投诉').shingleCount).toBe(1);
    expect(
      estimateSimilarity(fingerprint('噪音大').signature, fingerprint('油烟大').signature),
    ).toBeLessThan(0.1);
    // One shingle apart out of two: Jaccard 1/3.
    const est = estimateSimilarity(
      fingerprint('小区停车').signature,
      fingerprint('小区停').signature,
    );
    expect(est).toBeGreaterThan(0.1);
    expect(est).toBeLessThan(0.9);
  });

  it('shingles by code point: a surrogate pair is one character', () => {
    // Four supplementary-plane characters: two 3-grams (eight UTF-16 units would make six).
    expect(fingerprint('𠀀𠀁𠀂𠀃').shingleCount).toBe(2);
    expect(fingerprint('𠀀').shingleCount).toBe(1);
    // A lone surrogate is a character of its own, not an error.
    expect(fingerprint('\ud800ab').shingleCount).toBe(1);
    const withPairs = `${cjk(0, 50)}𠀀𠀁${cjk(60, 50)}`;
    expect(
      estimateSimilarity(fingerprint(withPairs).signature, fingerprint(withPairs).signature),
    ).toBe(1);
  });

  it('band keys follow from the signature alone (stores rebuild their index from it)', () => {
    const fp = fingerprint(cjk(100, 300));
    expect(bandKeysOf(fp.signature)).toEqual(fp.bandKeys);
    expect(fingerprintFromSignature(fp.signature, fp.shingleCount)).toEqual(fp);
  });
});
