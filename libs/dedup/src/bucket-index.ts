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
  /**
   * Open addressing, key and head side by side (slots[2i] the bucket key, slots[2i+1] its newest
   * entry, EMPTY when free): one cache line answers a probe. Kept apart, a lookup at a million
   * petitions took two cache misses per bucket.
   */
  private slots = new Int32Array(2 << 12).fill(EMPTY);
  private usedSlots = 0;
  private entrySeqs = new Uint32Array(1 << 12);
  private entryNext = new Int32Array(1 << 12);
  private entryCount = 0;
  /** listsInto's chain positions and home slots, reused. */
  private cursors = new Int32Array(32);
  private homes = new Int32Array(32);
  /** The sum of listsInto's prefetching reads, kept so that they are not optimised away. */
  private touched = 0;

  get entries(): number {
    return this.entryCount;
  }

  get buckets(): number {
    return this.usedSlots;
  }

  /** Bytes of the typed arrays behind the index. */
  get bytes(): number {
    return this.slots.byteLength + this.entrySeqs.byteLength + this.entryNext.byteLength;
  }

  /** Prepends `seq` to the bucket `key` (no-op when it is already the newest entry). */
  push(key: number, seq: number): void {
    let slot = this.slotOf(key);
    const head = this.slots[slot + 1] ?? EMPTY;
    if (head === EMPTY) {
      // At most half the slots in use keeps probe runs short.
      if ((this.usedSlots + 1) * 4 > this.slots.length) {
        this.growSlots();
        slot = this.slotOf(key);
      }
      this.slots[slot] = key;
      this.usedSlots++;
    } else if (this.entrySeqs[head] === seq) return;
    if (this.entryCount === this.entrySeqs.length) this.growEntries();
    const e = this.entryCount++;
    this.entrySeqs[e] = seq;
    this.entryNext[e] = head;
    this.slots[slot + 1] = e;
  }

  /** The newest `cap` seqs of the bucket, newest first. */
  list(key: number, cap: number): number[] {
    return this.listsInto([key], cap, [])[0] ?? [];
  }

  /**
   * `list` of several buckets, written over `outs` (returned; `outs[i]` gets bucket `keys[i]`): a
   * judgement reads ~20 buckets, and fresh arrays for them were a tenth of what it allocated.
   *
   * Written for a large index, where every step is a cache miss: first one read of every key's
   * home slot, with nothing depending on it, so the CPU overlaps the ~20 misses instead of taking
   * them one probe after another. Then the probes, now in cache, and the chains walked in
   * lockstep, one entry of every bucket per step, for the same reason. At a million petitions
   * (libs/dedup/bench/bucket-walk.bench.ts): 3.1 µs per lookup of 18 sparse buckets and 18 µs of
   * full ones, against 6.4 and 65 µs one bucket at a time.
   */
  listsInto(keys: readonly number[], cap: number, outs: number[][]): number[][] {
    const n = keys.length;
    if (this.cursors.length < n) {
      this.cursors = new Int32Array(n * 2);
      this.homes = new Int32Array(n * 2);
    }
    const at = this.cursors;
    const homes = this.homes;
    const slots = this.slots;
    let touched = 0;
    for (let i = 0; i < n; i++) {
      const home = this.homeOf(keys[i] ?? 0);
      homes[i] = home;
      touched += slots[home] ?? 0;
    }
    this.touched += touched;
    outs.length = n;
    for (let i = 0; i < n; i++) {
      at[i] = slots[this.probe(homes[i] ?? 0, keys[i] ?? 0) + 1] ?? EMPTY;
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

  /** Index in `slots` of the first slot probed for `key`. */
  private homeOf(key: number): number {
    return (fmix32(key) & ((this.slots.length >> 1) - 1)) << 1;
  }

  /** From `home` on, the slot holding `key`, or the free slot where it would go. */
  private probe(home: number, key: number): number {
    const slots = this.slots;
    const wrap = slots.length - 1;
    for (let i = home; ; i = (i + 2) & wrap) {
      if (slots[i + 1] === EMPTY || slots[i] === key) return i;
    }
  }

  private slotOf(key: number): number {
    return this.probe(this.homeOf(key), key);
  }

  private growSlots(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2).fill(EMPTY);
    for (let i = 0; i < old.length; i += 2) {
      const head = old[i + 1] ?? EMPTY;
      if (head === EMPTY) continue;
      const slot = this.slotOf(old[i] ?? 0);
      this.slots[slot] = old[i] ?? 0;
      this.slots[slot + 1] = head;
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
