/**
 * MinHash over character 3-grams with LSH banding. Jaccard on 3-gram sets is what "the same text
 * with a few edits" means for Chinese: an edit touches at most three shingles, a reordered sentence
 * only the shingles at its edges. These constants define what is stored: changing them makes
 * existing stores unreadable in meaning, so they are not options (FINGERPRINT_FORMAT names them).
 *
 * One-permutation MinHash (Li, Owen & Zhang 2012): each shingle is hashed once; the top 6 bits
 * pick one of 64 bins and the bin keeps the smallest hash it sees. Empty bins (short texts) borrow
 * a non-empty bin chosen by a fixed probe sequence (optimal densification, Shrivastava 2017), so
 * two texts agree in a bin with probability ≈ their Jaccard, as with 64 independent permutations,
 * at 1/64th of the hashing.
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
/**
 * Version of what a stored signature means (hash, binning, densification, band keys). Stores
 * record it and refuse to open state written under another one: comparing signatures of two
 * schemes gives similarities near zero, i.e. silently missed duplicates.
 */
export const FINGERPRINT_FORMAT = 2;

const BIN_SHIFT = 26; // 32 − log2(MINHASH_SIZE)

export interface Fingerprint {
  /** b-bit (16) one-permutation MinHash values that are stored and compared. */
  signature: Uint16Array;
  /** One LSH bucket key per band, derived from the signature; empty when the text has no shingles. */
  bandKeys: number[];
  /** Distinct shingles of the text (0 when it has none). */
  shingleCount: number;
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

/** Hash of one 3-gram of code points. */
function shingleHash(a: number, b: number, c: number): number {
  // Two rounds: with one fmix32 over a linear mix of the three code points, minima of real edited
  // copies were correlated and Jaccard came out 0.03 low (duplicate recall of the 'all' variant
  // fell from 98% to 92% in scripts/quality/dedup.ts).
  return fmix32(fmix32(Math.imul(a, 0x9e3779b1) ^ b) ^ Math.imul(c, 0x85ebca77));
}

/**
 * Reused across calls (judgements are synchronous): distinct-shingle counting in an open-addressed
 * table whose slots are valid only when stamped with the current call's epoch, so nothing is
 * cleared or allocated per text.
 */
let setKeys = new Uint32Array(1024);
let setEpochs = new Uint32Array(1024);
let epoch = 0;
const mins = new Uint32Array(MINHASH_SIZE);

function prepareSet(units: number): void {
  let size = setKeys.length;
  while (size < units * 2) size *= 2;
  if (size !== setKeys.length) {
    setKeys = new Uint32Array(size);
    setEpochs = new Uint32Array(size);
    epoch = 0;
  }
  epoch = (epoch + 1) >>> 0;
  if (epoch === 0) {
    setEpochs.fill(0);
    epoch = 1;
  }
}

/** Adds h to the set; true when it was not there. */
function addDistinct(h: number): boolean {
  const mask = setKeys.length - 1;
  // h is already mixed; its low bits are independent of the bin (top bits).
  for (let i = h & mask; ; i = (i + 1) & mask) {
    if (setEpochs[i] !== epoch) {
      setEpochs[i] = epoch;
      setKeys[i] = h;
      return true;
    }
    if (setKeys[i] === h) return false;
  }
}

function addShingle(h: number): number {
  const bin = h >>> BIN_SHIFT;
  if (h < (mins[bin] ?? 0)) mins[bin] = h;
  return addDistinct(h) ? 1 : 0;
}

/**
 * Fills `mins` with the per-bin minimum shingle hash of the text (0xffffffff: empty bin) and
 * returns the number of distinct shingles. Shingles are code points (a surrogate pair is one
 * character); a text shorter than SHINGLE_SIZE is one shingle of what it has.
 */
function binMinima(text: string): number {
  mins.fill(0xffffffff);
  const units = text.length;
  if (units === 0) return 0;
  prepareSet(units);
  let a = -1;
  let b = -1;
  let distinct = 0;
  let seen = 0;
  for (let i = 0; i < units; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < units) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        c = ((c - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        i++;
      }
    }
    seen++;
    if (seen >= 3) distinct += addShingle(shingleHash(a, b, c));
    a = b;
    b = c;
  }
  // Shorter than a shingle: the whole text is one (same padding as a 3-gram: missing → -1).
  if (seen === 1) distinct += addShingle(shingleHash(-1, -1, b));
  else if (seen === 2) distinct += addShingle(shingleHash(-1, a, b));
  return distinct;
}

/** Probe sequence of an empty bin: bins to borrow from, in order, the same for every text. */
const PROBES = 8;
const PROBE: Uint8Array = (() => {
  const p = new Uint8Array(MINHASH_SIZE * PROBES);
  for (let i = 0; i < MINHASH_SIZE; i++)
    for (let t = 0; t < PROBES; t++)
      p[i * PROBES + t] =
        fmix32(Math.imul(i + 1, 0x27d4eb2f) ^ Math.imul(t + 1, 0x165667b1)) >>> BIN_SHIFT;
  return p;
})();

/** Empty bins take the value of a non-empty bin (optimal densification); `mins` has one at least. */
function densify(signature: Uint16Array): void {
  for (let i = 0; i < MINHASH_SIZE; i++) {
    const v = mins[i] ?? 0xffffffff;
    if (v !== 0xffffffff) {
      signature[i] = v & 0xffff;
      continue;
    }
    let from = -1;
    for (let t = 0; t < PROBES && from < 0; t++) {
      const j = PROBE[i * PROBES + t] ?? 0;
      if ((mins[j] ?? 0xffffffff) !== 0xffffffff) from = j;
    }
    // Past the fixed probes (a text of very few shingles), walk the bins after i in order.
    for (let t = 1; from < 0; t++) {
      const j = (i + t) & (MINHASH_SIZE - 1);
      if ((mins[j] ?? 0xffffffff) !== 0xffffffff) from = j;
    }
    signature[i] = (mins[from] ?? 0) & 0xffff;
  }
}

/**
 * Band keys from the stored 16-bit values (2 rows = 32 bits of evidence per band, as many as the
 * key holds), so a store can rebuild its LSH index from the records alone. Keys are signed
 * int32: V8 keeps those unboxed (small integers), where half of all uint32 values would be heap
 * numbers allocated at every read of a key array and hashed as doubles in every Map.
 */
export function bandKeysOf(signature: Uint16Array): number[] {
  const keys: number[] = new Array<number>(BAND_COUNT);
  for (let band = 0; band < BAND_COUNT; band++) {
    const lo = signature[band * BAND_ROWS] ?? 0;
    const hi = signature[band * BAND_ROWS + 1] ?? 0;
    keys[band] = fmix32(Math.imul(band + 1, 0x27d4eb2f) ^ fmix32(lo | (hi << 16))) | 0;
  }
  return keys;
}

export function fingerprint(matchText: string): Fingerprint {
  const shingleCount = binMinima(matchText);
  if (shingleCount === 0) return { signature: new Uint16Array(0), bandKeys: [], shingleCount: 0 };
  const signature = new Uint16Array(MINHASH_SIZE);
  densify(signature);
  return { signature, bandKeys: bandKeysOf(signature), shingleCount };
}

/** A fingerprint from stored values (benchmark fills, index rebuilds). */
export function fingerprintFromSignature(
  signature: Uint16Array,
  shingleCount: number,
): Fingerprint {
  return { signature, bandKeys: bandKeysOf(signature), shingleCount };
}

/** Estimated Jaccard similarity from two b-bit signatures (chance 16-bit collisions corrected). */
export function estimateSimilarity(a: Uint16Array, b: Uint16Array): number {
  if (a.length !== MINHASH_SIZE || b.length !== MINHASH_SIZE) return 0;
  let equal = 0;
  for (let k = 0; k < MINHASH_SIZE; k++) if (a[k] === b[k]) equal++;
  return similarityOfMatches(equal);
}

/** Jaccard estimate from the number of equal signature positions. */
export function similarityOfMatches(equal: number): number {
  const chance = 1 / 65536;
  return Math.max(0, (equal / MINHASH_SIZE - chance) / (1 - chance));
}
