/**
 * A hit of one dictionary entry in a scanned text. `start`/`end` are UTF-16 offsets into the
 * original text (end exclusive), so a hit may span skipped whitespace.
 */
export interface KeywordHit<T> {
  readonly start: number;
  readonly end: number;
  readonly payload: T;
}

export interface KeywordEntry<T> {
  readonly pattern: string;
  readonly payload: T;
}

/** Maps a UTF-16 code unit of the input to the code unit the dictionary was written in. */
export type CodeUnitFold = ReadonlyMap<number, number>;

// Line breaks and spaces inside a word are common in pasted or OCR'd petitions ("酉阳土家族苗族自\n治县"),
// so the scanner steps over them instead of letting them break a match.
const SKIPPABLE = [0x20, 0x09, 0x0a, 0x0d, 0x3000, 0xa0];
const SKIP = -1;

/**
 * Aho-Corasick automaton over UTF-16 code units, compiled once per config into a dense state
 * table so that a scan costs two typed-array reads per character however many places or terms
 * the config lists. Characters that occur in no entry share one column of the table, and a fold
 * (Traditional → Simplified) is applied by giving both spellings the same column.
 *
 * `scan` resolves overlapping hits leftmost-longest: a longer phrase that starts earlier or at
 * the same place wins, which is how "江北机场" beats "江北" and "危房改造" beats "危房".
 */
export class KeywordAutomaton<T> {
  /** Code unit → column (0: in no entry; SKIP: whitespace). */
  private readonly column = new Int32Array(0x10000);
  private readonly width: number;
  /**
   * Complete transition function: next state = delta[state * width + column]. 16-bit cells while
   * the states fit: a province's towns make ~3,000 states × ~600 columns, 3.6 MB instead of 7.2.
   */
  private readonly delta: Uint16Array | Int32Array;
  /** Entry indices ending at each state, including those reached through failure links. */
  private readonly out: (readonly number[] | undefined)[];
  private readonly lengths: number[] = [];
  private readonly payloads: T[] = [];
  private readonly longest: number;
  /** scanAll's ring of offsets, allocated once: scans do not overlap (one thread, no callbacks). */
  private readonly ring: Int32Array;

  constructor(entries: readonly KeywordEntry<T>[], fold: CodeUnitFold = new Map()) {
    let columns = 1;
    const columnOf = (raw: number): number => {
      const code = fold.get(raw) ?? raw;
      let col = this.column[code] ?? 0;
      if (col === 0) {
        col = columns++;
        this.column[code] = col;
      }
      return col;
    };

    // 1. Trie over columns.
    const trie: Map<number, number>[] = [new Map<number, number>()];
    const ends: number[][] = [[]];
    let longest = 1;
    for (const entry of entries) {
      let state = 0;
      let length = 0;
      for (let i = 0; i < entry.pattern.length; i++) {
        const raw = entry.pattern.charCodeAt(i);
        if (SKIPPABLE.includes(raw)) continue;
        const col = columnOf(raw);
        length++;
        const children = trie[state] ?? new Map<number, number>();
        let next = children.get(col);
        if (next === undefined) {
          next = trie.length;
          children.set(col, next);
          trie.push(new Map<number, number>());
          ends.push([]);
        }
        state = next;
      }
      if (length === 0) continue;
      longest = Math.max(longest, length);
      this.lengths.push(length);
      this.payloads.push(entry.payload);
      ends[state]?.push(this.payloads.length - 1);
    }
    for (const [raw, code] of fold) {
      const col = this.column[code] ?? 0;
      if (col !== 0 && (this.column[raw] ?? 0) === 0) this.column[raw] = col;
    }
    for (const raw of SKIPPABLE) this.column[raw] = SKIP;

    // 2. Breadth-first: failure links folded into a complete transition table.
    this.width = columns;
    this.longest = longest;
    this.ring = new Int32Array(longest);
    this.delta =
      trie.length <= 0xffff
        ? new Uint16Array(trie.length * columns)
        : new Int32Array(trie.length * columns);
    this.out = ends.map((list) => (list.length > 0 ? list : undefined));
    const fail = new Int32Array(trie.length);
    const queue: number[] = [];
    for (const [col, child] of trie[0] ?? []) {
      this.delta[col] = child;
      queue.push(child);
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head] ?? 0;
      const failState = fail[state] ?? 0;
      const inherited = this.out[failState];
      if (inherited !== undefined) this.out[state] = [...(this.out[state] ?? []), ...inherited];
      const row = state * columns;
      const failRow = failState * columns;
      for (let col = 0; col < columns; col++)
        this.delta[row + col] = this.delta[failRow + col] ?? 0;
      for (const [col, child] of trie[state] ?? []) {
        fail[child] = this.delta[failRow + col] ?? 0;
        this.delta[row + col] = child;
        queue.push(child);
      }
    }
  }

  /** Every dictionary hit, overlapping ones included, in order of their end offset. */
  scanAll(text: string): KeywordHit<T>[] {
    const hits: KeywordHit<T>[] = [];
    const { column, delta, width, out } = this;
    // Ring of the offsets of the last `longest` consumed code units, to find where a hit starts
    // when whitespace was skipped inside it.
    const ringSize = this.longest;
    const ring = this.ring;
    let consumed = 0;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const col = column[text.charCodeAt(i)] ?? 0;
      if (col === SKIP) continue;
      if (col === 0) {
        // A character of no entry ends every partial match: nothing to record.
        state = 0;
        continue;
      }
      ring[consumed % ringSize] = i;
      consumed++;
      state = delta[state * width + col] ?? 0;
      const found = out[state];
      if (found === undefined) continue;
      for (const index of found) {
        const length = this.lengths[index] ?? 1;
        const start = ring[(consumed - length) % ringSize] ?? i;
        hits.push({ start, end: i + 1, payload: this.payloads[index] as T });
      }
    }
    return hits;
  }

  /** Non-overlapping hits, leftmost first and longest at each start. */
  scan(text: string): KeywordHit<T>[] {
    const all = this.scanAll(text);
    if (all.length <= 1) return all;
    all.sort((a, b) => a.start - b.start || b.end - a.end);
    const chosen: KeywordHit<T>[] = [];
    let reach = -1;
    for (const hit of all) {
      if (hit.start < reach) continue;
      chosen.push(hit);
      reach = hit.end;
    }
    return chosen;
  }
}
