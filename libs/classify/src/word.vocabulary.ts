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

/** Flags of a hash in the vocabulary table: the string is a word, or begins a longer word. */
const WORD = 1;
const PREFIX = 2;

/**
 * The vocabulary as an open-addressing table of word hashes (no strings at run time), each with
 * flags: a word, and/or the beginning of a longer word. The matcher extends a candidate only while
 * it begins some word, so most positions cost one lookup, not MAX_WORD_LENGTH − 1 (the table is
 * bigger than the caches: each lookup is a likely cache miss). Two distinct strings sharing a
 * 32-bit hash would be taken for each other; with ~40,000 words that is about one false match per
 * 20,000 messages, and it only makes the matcher take a slightly different cut.
 */
export class WordVocabulary {
  readonly words: readonly string[];
  private readonly keys: Int32Array;
  /** 0: empty slot; else WORD | PREFIX flags of the key. */
  private readonly flags: Uint8Array;
  private readonly mask: number;
  /** 32 − log2(table size): the slot is the top bits of a multiplicative hash. */
  private readonly slotShift: number;

  constructor(words: readonly string[]) {
    this.words = words.filter((w) => w.length >= 2 && w.length <= MAX_WORD_LENGTH);
    const entries = new Map<number, number>();
    for (const w of this.words) {
      let h = FNV_OFFSET;
      for (let n = 1; n <= w.length; n++) {
        h = Math.imul(h ^ w.charCodeAt(n - 1), FNV_PRIME);
        if (n >= 2) entries.set(h, (entries.get(h) ?? 0) | (n === w.length ? WORD : PREFIX));
      }
    }
    let size = 16;
    let bits = 4;
    while (size < entries.size * 2) {
      size *= 2;
      bits++;
    }
    this.slotShift = 32 - bits;
    this.keys = new Int32Array(size);
    this.flags = new Uint8Array(size);
    this.mask = size - 1;
    for (const [h, f] of entries) {
      let i = Math.imul(h, MIX) >>> this.slotShift;
      while (this.flags[i] !== 0) i = (i + 1) & this.mask;
      this.keys[i] = h;
      this.flags[i] = f;
    }
  }

  /** The flags of a string's hash (0 when it is neither a word nor begins one). */
  private lookup(h: number): number {
    let i = Math.imul(h, MIX) >>> this.slotShift;
    for (;;) {
      const f = this.flags[i] ?? 0;
      if (f === 0 || this.keys[i] === h) return f;
      i = (i + 1) & this.mask;
    }
  }

  has(h: number): boolean {
    return (this.lookup(h) & WORD) !== 0;
  }

  /** The hash of the token `longestAt` found last (kept in a field: the hot path allocates nothing). */
  private tokenHash = 0;

  /**
   * The longest vocabulary word starting at `i`, else the single character: returns its length
   * and leaves its hash in `tokenHash`.
   */
  private longestAt(text: string, i: number): number {
    let h = Math.imul(FNV_OFFSET ^ text.charCodeAt(i), FNV_PRIME);
    let bestHash = h;
    let best = 1;
    const rest = text.length - i;
    const last = MAX_WORD_LENGTH < rest ? MAX_WORD_LENGTH : rest;
    for (let n = 2; n <= last; n++) {
      h = Math.imul(h ^ text.charCodeAt(i + n - 1), FNV_PRIME);
      const f = this.lookup(h);
      if ((f & WORD) !== 0) {
        best = n;
        bestHash = h;
      }
      if ((f & PREFIX) === 0) break;
    }
    this.tokenHash = bestHash;
    return best;
  }

  /**
   * Forward maximum matching: at each position the longest vocabulary word starting there, else
   * the single character; `visit` gets each token's hash and length, in text order.
   */
  forEachToken(text: string, visit: (hash: number, length: number) => void): void {
    for (let i = 0; i < text.length;) {
      const length = this.longestAt(text, i);
      visit(this.tokenHash, length);
      i += length;
    }
  }

  /**
   * The inference loop's form of forEachToken: writes each token's word bucket into `out` from
   * index `at` (room for one per unit of `text` is the caller's) and returns the new end.
   */
  writeBuckets(text: string, out: Int32Array, at: number, shift: number): number {
    let count = at;
    for (let i = 0; i < text.length;) {
      i += this.longestAt(text, i);
      out[count++] = wordBucket(this.tokenHash, shift);
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
