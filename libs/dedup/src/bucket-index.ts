import { fmix32 } from './min-hash.fingerprint';
import { trimmedLength } from './trimmed-length';

const EMPTY = -1;

/**
 * LSH and entity buckets in memory: each bucket is a chain of entries, newest first, so a push is
 * one append and a read walks at most `cap` entries, whatever the number of petitions. Typed
 * arrays, not Maps of arrays: 20 entries per petition for a million petitions stay a few hundred
 * megabytes without millions of small objects for the GC to trace.
 *
 * Entries past a bucket's cap are never read again but stay until the index is rebuilt (at open,
 * from the records within the horizon).
 */
export class BucketIndex {
  /** Open addressing: bucket key per slot, and the slot's newest entry (EMPTY: free slot). */
  private slotKeys = new Int32Array(1 << 12);
  private slotHeads = new Int32Array(1 << 12).fill(EMPTY);
  private usedSlots = 0;
  private entrySeqs = new Uint32Array(1 << 12);
  private entryNext = new Int32Array(1 << 12);
  private entryCount = 0;
  /** listsInto's chain positions, reused. */
  private cursors = new Int32Array(32);

  get entries(): number {
    return this.entryCount;
  }

  get buckets(): number {
    return this.usedSlots;
  }

  /** Bytes of the typed arrays behind the index. */
  get bytes(): number {
    return (
      this.slotKeys.byteLength +
      this.slotHeads.byteLength +
      this.entrySeqs.byteLength +
      this.entryNext.byteLength
    );
  }

  /** Prepends `seq` to the bucket `key` (no-op when it is already the newest entry). */
  push(key: number, seq: number): void {
    let slot = this.slotOf(key);
    let head = this.slotHeads[slot] ?? EMPTY;
    if (head === EMPTY) {
      if ((this.usedSlots + 1) * 2 > this.slotKeys.length) {
        this.growSlots();
        slot = this.slotOf(key);
      }
      this.slotKeys[slot] = key;
      this.usedSlots++;
      head = EMPTY;
    } else if (this.entrySeqs[head] === seq) return;
    if (this.entryCount === this.entrySeqs.length) this.growEntries();
    const e = this.entryCount++;
    this.entrySeqs[e] = seq;
    this.entryNext[e] = head;
    this.slotHeads[slot] = e;
  }

  /** The newest `cap` seqs of the bucket, newest first. */
  list(key: number, cap: number): number[] {
    return this.listsInto([key], cap, [])[0] ?? [];
  }

  /**
   * `list` of several buckets, written over `outs` (returned; `outs[i]` gets bucket `keys[i]`): a
   * judgement reads ~20 buckets, and fresh arrays for them were a tenth of what it allocated.
   * The chains are walked in lockstep, one entry of every bucket per step: each step of a chain
   * waits for the previous one's cache miss, but the steps of different chains do not wait for
   * each other, so the CPU overlaps their misses instead of taking them one after another.
   */
  listsInto(keys: readonly number[], cap: number, outs: number[][]): number[][] {
    const n = keys.length;
    const at = this.cursors.length >= n ? this.cursors : (this.cursors = new Int32Array(n * 2));
    outs.length = n;
    for (let i = 0; i < n; i++) {
      at[i] = this.slotHeads[this.slotOf(keys[i] ?? 0)] ?? EMPTY;
      const out = outs[i] ?? (outs[i] = []);
      out.length = 0;
    }
    const seqs = this.entrySeqs;
    const next = this.entryNext;
    for (let step = 0, live = n; step < cap && live > 0; step++) {
      live = 0;
      for (let i = 0; i < n; i++) {
        const e = at[i] ?? EMPTY;
        if (e === EMPTY) continue;
        (outs[i] as number[]).push(seqs[e] ?? 0);
        const following = next[e] ?? EMPTY;
        at[i] = following;
        if (following !== EMPTY) live++;
      }
    }
    return outs;
  }

  /** The slot holding `key`, or the free slot where it would go. */
  private slotOf(key: number): number {
    const mask = this.slotKeys.length - 1;
    for (let i = fmix32(key) & mask; ; i = (i + 1) & mask) {
      if (this.slotHeads[i] === EMPTY || this.slotKeys[i] === key) return i;
    }
  }

  private growSlots(): void {
    const keys = this.slotKeys;
    const heads = this.slotHeads;
    this.slotKeys = new Int32Array(keys.length * 2);
    this.slotHeads = new Int32Array(keys.length * 2).fill(EMPTY);
    for (let i = 0; i < keys.length; i++) {
      const head = heads[i] ?? EMPTY;
      if (head === EMPTY) continue;
      const slot = this.slotOf(keys[i] ?? 0);
      this.slotKeys[slot] = keys[i] ?? 0;
      this.slotHeads[slot] = head;
    }
  }

  /** Drops spare entry capacity (after a rebuild: growth by doubling leaves up to half unused). */
  trim(): void {
    const size = trimmedLength(this.entryCount);
    if (size >= this.entrySeqs.length) return;
    this.entrySeqs = this.entrySeqs.slice(0, size);
    this.entryNext = this.entryNext.slice(0, size);
  }

  private growEntries(): void {
    const seqs = new Uint32Array(this.entrySeqs.length * 2);
    seqs.set(this.entrySeqs);
    const next = new Int32Array(this.entryNext.length * 2);
    next.set(this.entryNext);
    this.entrySeqs = seqs;
    this.entryNext = next;
  }
}
