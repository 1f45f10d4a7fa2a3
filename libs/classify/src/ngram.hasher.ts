// Hashed character n-grams over UTF-16 code units, computed on the fly: no string is allocated
// per n-gram. FNV-1a steps chain the code units of an n-gram; a multiply-shift takes the top
// `bits` bits as the bucket. The exact constants are part of the model format: changing them
// invalidates every trained model (the model file records `hash: 'fnv1a-ms-v1'`).
export const HASH_NAME = 'fnv1a-ms-v1';

// Exported so that the classifier's inference loop can inline the same hash (no callback per
// n-gram); forEachNgramBucket stays the reference that the trainer uses.
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;
const MIX = 0x9e3779b1;
// Distinct per order so that a bigram and a trigram sharing a prefix land apart.
const ORDER_SALT = Int32Array.of(0, 0x1b873593, 0x5bd1e995, 0x27d4eb2f, 0x165667b1, 0x3c6ef372);

/** Bucket of an n-gram of length `n` whose FNV-1a chain state is `h`. */
export function ngramBucket(h: number, n: number, shift: number): number {
  const g = h ^ (ORDER_SALT[n] ?? 0);
  return Math.imul(g ^ (g >>> 15), MIX) >>> shift;
}

export interface NgramSpec {
  /** Smallest n-gram length (≥ 1). */
  minN: number;
  /** Largest n-gram length (≤ 5). */
  maxN: number;
  /** log2 of the bucket count. */
  bits: number;
}

/**
 * Calls `visit(bucket)` for every n-gram of `text` with minN ≤ n ≤ maxN, in text order. The
 * same n-gram always gives the same bucket.
 */
export function forEachNgramBucket(
  text: string,
  spec: NgramSpec,
  visit: (bucket: number) => void,
): void {
  const shift = 32 - spec.bits;
  const len = text.length;
  const { minN, maxN } = spec;
  for (let i = 0; i < len; i++) {
    let h = FNV_OFFSET;
    const last = Math.min(maxN, len - i);
    for (let n = 1; n <= last; n++) {
      h = Math.imul(h ^ text.charCodeAt(i + n - 1), FNV_PRIME);
      if (n >= minN) visit(ngramBucket(h, n, shift));
    }
  }
}
