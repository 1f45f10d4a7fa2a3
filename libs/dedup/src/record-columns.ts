import { MINHASH_SIZE } from './min-hash.fingerprint';
import { recordReceivedAt, recordSignatureOffset } from './record.codec';
import { trimmedLength } from './trimmed-length';
import type { RecordProbe } from './dedup.types';

/** Host byte order: the encoded signature is big-endian; a little-endian host reads it swapped. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The encoded bytes of every indexed record, held in memory beside the bucket index in one arena
 * indexed by seq. A judgement scores up to ~100 candidates and decodes the few that match: read
 * from LMDB those are ~100 scattered B-tree lookups and copies (most of a lookup's cost once a
 * million records no longer fit in the CPU caches); from here they are a few cache lines each and
 * nothing is allocated for a rejected candidate. Costs the record's size (~200 bytes) plus 8
 * bytes per record (its offsets).
 *
 * Rows are appended in seq order (rebuild at open, bulk loads and commits all go up); a seq never
 * added is absent. Records start at even offsets so that the signature (at an even offset in the
 * record) can be compared as 16-bit words in place.
 */
export class RecordColumns implements RecordProbe {
  /** Seq of row 0; rows hold seqs base .. base + rows − 1. */
  private base = -1;
  private rows = 0;
  /**
   * Arena start and end of each row's bytes, interleaved (absent row: start = end): a candidate
   * costs one cache miss here and then the lines of its bytes, where receivedAt is read too.
   */
  private spans = new Uint32Array(2048);
  private arena = new Uint8Array(1 << 16);
  private words = new Uint16Array(this.arena.buffer);
  private used = 0;
  /** Row the probe methods read, and where its bytes start (set by `probe`). */
  private row = 0;
  private start = 0;
  /** The last signature compared, and its values in the arena's byte order. */
  private lastSignature: Uint16Array | null = null;
  private readonly swapped = new Uint16Array(MINHASH_SIZE);
  private view = new DataView(this.arena.buffer);

  get bytes(): number {
    return this.spans.byteLength + this.arena.byteLength;
  }

  /** Adds the encoded record of `seq`; seqs must come in increasing order. */
  add(seq: number, bytes: Uint8Array): void {
    if (this.base < 0) this.base = seq;
    const row = seq - this.base;
    if (row < this.rows) throw new RangeError('record columns are appended in seq order');
    if (2 * row + 2 > this.spans.length) this.growRows(2 * row + 2);
    // Rows skipped (seqs never added) stay empty: start = end = 0.
    const end = this.used + bytes.length;
    if (end + 1 > this.arena.length) this.growArena(end + 1);
    this.arena.set(bytes, this.used);
    recordReceivedAt(bytes); // checks the version before the record is trusted
    this.spans[2 * row] = this.used;
    this.spans[2 * row + 1] = end;
    this.used = (end + 1) & ~1;
    this.rows = row + 1;
  }

  /**
   * Reads one word of each cache line the probe of each seq will read, all seqs first: a
   * judgement's ~100 candidates lie scattered over an arena far larger than the CPU caches, and
   * loads that do not depend on each other overlap their misses, where probing one candidate
   * after another takes them one at a time. Returns a value only so the reads are not dropped.
   */
  touch(seqs: readonly number[]): number {
    const spans = this.spans;
    const arena = this.arena;
    const rows = this.rows;
    let sum = 0;
    for (let i = 0; i < seqs.length; i++) {
      const row = (seqs[i] ?? 0) - this.base;
      if (row < 0 || row >= rows) continue;
      const start = spans[2 * row] ?? 0;
      // receivedAt and the header, then the signature's two lines and the entity codes.
      sum += (arena[start] ?? 0) + (arena[start + 64] ?? 0) + (arena[start + 128] ?? 0);
    }
    return sum;
  }

  /** Points the probe at `seq`; false (and nothing to read) when the record is not held. */
  probe(seq: number): boolean {
    const row = seq - this.base;
    if (this.base < 0 || row < 0 || row >= this.rows) return false;
    const start = this.spans[2 * row] ?? 0;
    if ((this.spans[2 * row + 1] ?? 0) <= start) return false;
    this.row = row;
    this.start = start;
    return true;
  }

  /** The bytes of the probed record (a view into the arena: records are immutable). */
  recordBytes(): Buffer {
    const end = this.spans[2 * this.row + 1] ?? 0;
    return Buffer.from(this.arena.buffer, this.start, end - this.start);
  }

  receivedAt(): number {
    return this.view.getFloat64(this.start + 1);
  }

  signatureMatches(signature: Uint16Array): number {
    if (signature !== this.lastSignature) this.swapFor(signature);
    const start = this.start;
    const o = (start + recordSignatureOffset(this.arena, start)) >>> 1;
    const words = this.words;
    const want = this.swapped;
    let equal = 0;
    for (let k = 0; k < MINHASH_SIZE; k++) if (words[o + k] === want[k]) equal++;
    return equal;
  }

  sharedEntities(codes: readonly number[]): number {
    if (codes.length === 0) return 0;
    const start = this.start;
    let o = start + recordSignatureOffset(this.arena, start) + MINHASH_SIZE * 2 + 2;
    const count = this.arena[o] ?? 0;
    o += 1;
    let n = 0;
    // Same rule as entity-keys.ts sharedEntities: one key in common, not both weak. Indexed
    // loops: a for-of here allocated an iterator per stored key (~2 kB per judgement).
    for (let i = 0; i < count; i++, o += 4) {
      const y = this.view.getUint32(o);
      for (let j = 0; j < codes.length; j++) {
        const x = codes[j] ?? 0;
        if ((x | 1) === (y | 1) && (x & y & 1) === 0) n++;
      }
    }
    return n;
  }

  /** Drops spare capacity (after a rebuild: growth by doubling leaves up to half unused). */
  trim(): void {
    const spans = 2 * trimmedLength(this.rows);
    if (spans < this.spans.length) this.spans = this.spans.slice(0, spans);
    // Even, like every record's start.
    const bytes = (trimmedLength(this.used) + 1) & ~1;
    if (bytes < this.arena.length) this.setArena(this.arena.slice(0, bytes));
  }

  private swapFor(signature: Uint16Array): void {
    this.lastSignature = signature;
    for (let k = 0; k < MINHASH_SIZE; k++) {
      const v = signature[k] ?? 0;
      this.swapped[k] = LITTLE_ENDIAN ? ((v & 0xff) << 8) | (v >>> 8) : v;
    }
  }

  private growRows(min: number): void {
    let size = this.spans.length;
    while (size < min) size *= 2;
    const spans = new Uint32Array(size);
    spans.set(this.spans);
    this.spans = spans;
  }

  private growArena(min: number): void {
    let size = this.arena.length;
    while (size < min) size *= 2;
    if (size > 0xffffffff) throw new RangeError('record arena past 4 GiB');
    const arena = new Uint8Array(size);
    arena.set(this.arena.subarray(0, this.used));
    this.setArena(arena);
  }

  private setArena(arena: Uint8Array<ArrayBuffer>): void {
    this.arena = arena;
    this.words = new Uint16Array(arena.buffer);
    this.view = new DataView(arena.buffer);
  }
}
