import { MINHASH_SIZE } from './min-hash.fingerprint';
import { recordReceivedAt, recordSignatureOffset } from './record.codec';
import type { RecordProbe } from './dedup.types';

/** Host byte order: the encoded signature is big-endian; a little-endian host reads it swapped. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The encoded bytes of every indexed record, held in memory beside the bucket index in one arena
 * indexed by seq. A judgement scores up to ~100 candidates and decodes the few that match: read
 * from LMDB those are ~100 scattered B-tree lookups and copies (most of a lookup's cost once a
 * million records no longer fit in the CPU caches); from here they are a few cache lines each and
 * nothing is allocated for a rejected candidate. Costs the record's size (~200 bytes) plus 16
 * bytes per record (offsets and receivedAt).
 *
 * Rows are appended in seq order (rebuild at open, bulk loads and commits all go up); a seq never
 * added is absent. Records start at even offsets so that the signature (at an even offset in the
 * record) can be compared as 16-bit words in place.
 */
export class RecordColumns implements RecordProbe {
  /** Seq of row 0; rows hold seqs base .. base + rows − 1. */
  private base = -1;
  private rows = 0;
  /** Arena offsets of each row's bytes (absent row: start = end). */
  private starts = new Uint32Array(1024);
  private ends = new Uint32Array(1024);
  private receivedAts = new Float64Array(1024);
  private arena = new Uint8Array(1 << 16);
  private words = new Uint16Array(this.arena.buffer);
  private used = 0;
  /** Row the probe methods read (set by `probe`). */
  private row = 0;
  /** The last signature compared, and its values in the arena's byte order. */
  private lastSignature: Uint16Array | null = null;
  private readonly swapped = new Uint16Array(MINHASH_SIZE);
  private view = new DataView(this.arena.buffer);

  get bytes(): number {
    return (
      this.starts.byteLength +
      this.ends.byteLength +
      this.receivedAts.byteLength +
      this.arena.byteLength
    );
  }

  /** Adds the encoded record of `seq`; seqs must come in increasing order. */
  add(seq: number, bytes: Uint8Array): void {
    if (this.base < 0) this.base = seq;
    const row = seq - this.base;
    if (row < this.rows) throw new RangeError('record columns are appended in seq order');
    if (row + 1 > this.starts.length) this.growRows(row + 1);
    // Rows skipped (seqs never added) stay empty: start = end = 0.
    const end = this.used + bytes.length;
    if (end + 1 > this.arena.length) this.growArena(end + 1);
    this.arena.set(bytes, this.used);
    this.receivedAts[row] = recordReceivedAt(bytes);
    this.starts[row] = this.used;
    this.ends[row] = end;
    this.used = (end + 1) & ~1;
    this.rows = row + 1;
  }

  /** Points the probe at `seq`; false (and nothing to read) when the record is not held. */
  probe(seq: number): boolean {
    const row = seq - this.base;
    if (this.base < 0 || row < 0 || row >= this.rows) return false;
    if ((this.ends[row] ?? 0) <= (this.starts[row] ?? 0)) return false;
    this.row = row;
    return true;
  }

  /** The bytes of the probed record (a view into the arena: records are immutable). */
  recordBytes(): Buffer {
    const start = this.starts[this.row] ?? 0;
    const end = this.ends[this.row] ?? 0;
    return Buffer.from(this.arena.buffer, start, end - start);
  }

  receivedAt(): number {
    return this.receivedAts[this.row] ?? NaN;
  }

  signatureMatches(signature: Uint16Array): number {
    if (signature !== this.lastSignature) this.swapFor(signature);
    const start = this.starts[this.row] ?? 0;
    const o = (start + recordSignatureOffset(this.arena, start)) >>> 1;
    const words = this.words;
    const want = this.swapped;
    let equal = 0;
    for (let k = 0; k < MINHASH_SIZE; k++) if (words[o + k] === want[k]) equal++;
    return equal;
  }

  sharedEntities(codes: readonly number[]): number {
    if (codes.length === 0) return 0;
    const start = this.starts[this.row] ?? 0;
    let o = start + recordSignatureOffset(this.arena, start) + MINHASH_SIZE * 2 + 2;
    const count = this.arena[o] ?? 0;
    o += 1;
    let n = 0;
    // Same rule as entity-keys.ts sharedEntities: one key in common, not both weak.
    for (let i = 0; i < count; i++, o += 4) {
      const y = this.view.getUint32(o);
      for (const x of codes) if ((x | 1) === (y | 1) && (x & y & 1) === 0) n++;
    }
    return n;
  }

  /** Drops spare capacity (after a rebuild: growth by doubling leaves up to half unused). */
  trim(): void {
    const rows = Math.max(1, this.rows);
    this.starts = this.starts.slice(0, rows);
    this.ends = this.ends.slice(0, rows);
    this.receivedAts = this.receivedAts.slice(0, rows);
    this.setArena(this.arena.slice(0, Math.max(2, this.used)));
  }

  private swapFor(signature: Uint16Array): void {
    this.lastSignature = signature;
    for (let k = 0; k < MINHASH_SIZE; k++) {
      const v = signature[k] ?? 0;
      this.swapped[k] = LITTLE_ENDIAN ? ((v & 0xff) << 8) | (v >>> 8) : v;
    }
  }

  private growRows(min: number): void {
    let size = this.starts.length;
    while (size < min) size *= 2;
    const starts = new Uint32Array(size);
    starts.set(this.starts);
    this.starts = starts;
    const ends = new Uint32Array(size);
    ends.set(this.ends);
    this.ends = ends;
    const at = new Float64Array(size);
    at.set(this.receivedAts);
    this.receivedAts = at;
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
