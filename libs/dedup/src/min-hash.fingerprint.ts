/**
 * MinHash over character 3-grams with LSH banding. Jaccard on 3-gram sets is what "the same text
 * with a few edits" means for Chinese: an edit touches at most three shingles, a reordered sentence
 * only the shingles at its edges. These constants define what is stored: changing them makes
 * existing stores unreadable in meaning, so they are not options.
 */
export const SHINGLE_SIZE = 3;
export const MINHASH_SIZE = 64;
export const BAND_COUNT = 16;
/**
 * 16 bands × 2 rows: a pair at Jaccard 0.3 becomes a candidate with p≈0.79, at 0.4 with p≈0.93,
 * at 0.6 with p≈0.999. Three rows would cut false candidates but find a same-matter pair at 0.35
 * only half the time; more bands would double the writes per petition. The other 32 values only
 * sharpen the similarity estimate.
 */
export const BAND_ROWS = 2;

export interface Fingerprint {
  /** Full 32-bit MinHash values (used for bands). Empty when the text has no shingles. */
  minhash: Uint32Array;
  /** b-bit (16) MinHash values that are stored and compared. */
  signature: Uint16Array;
  /** One LSH bucket key per band; empty when the text has no shingles. */
  bandKeys: number[];
  /** Distinct shingles of the text, when known. */
  shingleCount?: number;
}

/** Murmur3's finaliser: a cheap, well-mixed 32-bit permutation. */
export function fmix32(input: number): number {
  let h = input | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEEDS: Uint32Array = (() => {
  const seeds = new Uint32Array(MINHASH_SIZE);
  for (let k = 0; k < MINHASH_SIZE; k++) seeds[k] = fmix32(Math.imul(k + 1, 0x9e3779b1));
  return seeds;
})();

/** Distinct 32-bit hashes of the text's character n-grams (by code point, not UTF-16 unit). */
export function shingleHashes(text: string, size = SHINGLE_SIZE): Uint32Array {
  const cps: number[] = [];
  for (const ch of text) cps.push(ch.codePointAt(0) ?? 0);
  if (cps.length === 0) return new Uint32Array(0);
  const n = Math.min(size, cps.length);
  const seen = new Set<number>();
  for (let i = 0; i + n <= cps.length; i++) {
    let h = 0x811c9dc5;
    for (let j = 0; j < n; j++) h = fmix32(Math.imul(h ^ (cps[i + j] ?? 0), 0x01000193));
    seen.add(h);
  }
  return Uint32Array.from(seen);
}

export function minhashOf(hashes: Uint32Array): Uint32Array {
  const mins = new Uint32Array(MINHASH_SIZE).fill(0xffffffff);
  for (const h of hashes) {
    for (let k = 0; k < MINHASH_SIZE; k++) {
      const v = fmix32(h ^ (SEEDS[k] ?? 0));
      if (v < (mins[k] ?? 0)) mins[k] = v;
    }
  }
  return mins;
}

export function bandKeysOf(minhash: Uint32Array): number[] {
  const keys: number[] = [];
  for (let b = 0; b < BAND_COUNT; b++) {
    let h = fmix32(Math.imul(b + 1, 0x27d4eb2f));
    for (let r = 0; r < BAND_ROWS; r++) h = fmix32(h ^ (minhash[b * BAND_ROWS + r] ?? 0));
    keys.push(h);
  }
  return keys;
}

export function fingerprintFromMinhash(minhash: Uint32Array): Fingerprint {
  const signature = new Uint16Array(MINHASH_SIZE);
  for (let k = 0; k < MINHASH_SIZE; k++) signature[k] = (minhash[k] ?? 0) & 0xffff;
  return { minhash, signature, bandKeys: bandKeysOf(minhash) };
}

export function fingerprint(matchText: string): Fingerprint {
  const hashes = shingleHashes(matchText);
  if (hashes.length === 0) {
    return { minhash: new Uint32Array(0), signature: new Uint16Array(0), bandKeys: [] };
  }
  return { ...fingerprintFromMinhash(minhashOf(hashes)), shingleCount: hashes.length };
}

/** Estimated Jaccard similarity from two b-bit signatures (chance 16-bit collisions corrected). */
export function estimateSimilarity(a: Uint16Array, b: Uint16Array): number {
  if (a.length !== MINHASH_SIZE || b.length !== MINHASH_SIZE) return 0;
  let equal = 0;
  for (let k = 0; k < MINHASH_SIZE; k++) if (a[k] === b[k]) equal++;
  const chance = 1 / 65536;
  return Math.max(0, (equal / MINHASH_SIZE - chance) / (1 - chance));
}
