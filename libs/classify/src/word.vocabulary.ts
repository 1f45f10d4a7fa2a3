import { FNV_OFFSET, FNV_PRIME } from './ngram.hasher';

/**
 * Word features for the category model, by forward maximum matching over a vocabulary learnt from
 * the word-segmented training file (jieba's words, stop words already removed).
 *
 * Why not jieba itself at run time: @node-rs/jieba cuts a 364-character message in 230–420 µs on
 * this machine, ten times the whole classification budget (≥ 20,000 per second per core). Maximum
 * matching over the training vocabulary costs a few µs, and only words the model was trained on
 * can carry weight anyway. Measured against jieba's own cut at run time (dev and the second check
 * set, model trained without dev): see category.trainer.ts.
 *
 * A word's feature is its FNV-1a chain (the n-gram hasher's) salted apart from the n-grams, so a
 * word and the character n-gram spelling it land in different buckets.
 */
const WORD_SALT = 0x7feb352d;
const MIX = 0x9e3779b1;

/** FNV-1a over a word's UTF-16 code units: the chain state after its last unit. */
export function wordHash(word: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), FNV_PRIME);
  return h;
}

/** Bucket of a word whose FNV-1a chain state is `h`. */
export function wordBucket(h: number, shift: number): number {
  const g = h ^ WORD_SALT;
  return Math.imul(g ^ (g >>> 15), MIX) >>> shift;
}

/** Longest word the matcher tries, in UTF-16 units: longer words are rare and mostly names. */
export const MAX_WORD_LENGTH = 6;

/**
 * The vocabulary as an open-addressing set of word hashes (no strings at run time). Two distinct
 * words sharing a 32-bit hash would be taken for each other; with ~40,000 words and at most 5
 * lookups per position that is about one false match per 20,000 messages, and it only makes the
 * matcher take a slightly different cut.
 */
export class WordVocabulary {
  readonly words: readonly string[];
  private readonly table: Int32Array;
  private readonly used: Uint8Array;
  private readonly mask: number;

  constructor(words: readonly string[]) {
    this.words = words.filter((w) => w.length >= 2 && w.length <= MAX_WORD_LENGTH);
    let size = 16;
    while (size < this.words.length * 2) size *= 2;
    this.table = new Int32Array(size);
    this.used = new Uint8Array(size);
    this.mask = size - 1;
    for (const w of this.words) this.add(wordHash(w));
  }

  private add(h: number): void {
    let i = (Math.imul(h, MIX) >>> 0) & this.mask;
    while (this.used[i] === 1) {
      if (this.table[i] === h) return;
      i = (i + 1) & this.mask;
    }
    this.used[i] = 1;
    this.table[i] = h;
  }

  has(h: number): boolean {
    let i = (Math.imul(h, MIX) >>> 0) & this.mask;
    while (this.used[i] === 1) {
      if (this.table[i] === h) return true;
      i = (i + 1) & this.mask;
    }
    return false;
  }

  /**
   * Forward maximum matching: at each position the longest vocabulary word starting there, else
   * the single character; `visit` gets each token's hash and length, in text order.
   */
  forEachToken(text: string, visit: (hash: number, length: number) => void): void {
    const len = text.length;
    let i = 0;
    while (i < len) {
      let h = Math.imul(FNV_OFFSET ^ text.charCodeAt(i), FNV_PRIME);
      let bestHash = h;
      let best = 1;
      const last = MAX_WORD_LENGTH < len - i ? MAX_WORD_LENGTH : len - i;
      for (let n = 2; n <= last; n++) {
        h = Math.imul(h ^ text.charCodeAt(i + n - 1), FNV_PRIME);
        if (this.has(h)) {
          best = n;
          bestHash = h;
        }
      }
      visit(bestHash, best);
      i += best;
    }
  }

  /**
   * The inference loop's form of forEachToken: writes each token's word bucket into `out` from
   * index `at` (room for one per unit of `text` is the caller's) and returns the new end.
   */
  writeBuckets(text: string, out: Int32Array, at: number, shift: number): number {
    const len = text.length;
    let count = at;
    let i = 0;
    while (i < len) {
      let h = Math.imul(FNV_OFFSET ^ text.charCodeAt(i), FNV_PRIME);
      let bestHash = h;
      let best = 1;
      const last = MAX_WORD_LENGTH < len - i ? MAX_WORD_LENGTH : len - i;
      for (let n = 2; n <= last; n++) {
        h = Math.imul(h ^ text.charCodeAt(i + n - 1), FNV_PRIME);
        if (this.has(h)) {
          best = n;
          bestHash = h;
        }
      }
      out[count++] = wordBucket(bestHash, shift);
      i += best;
    }
    return count;
  }

  /** The tokens as strings (tests and tools; inference uses writeBuckets). */
  tokens(text: string): string[] {
    const out: string[] = [];
    let at = 0;
    this.forEachToken(text, (_, n) => {
      out.push(text.slice(at, at + n));
      at += n;
    });
    return out;
  }
}
