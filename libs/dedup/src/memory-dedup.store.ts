import {
  decodeCluster,
  decodeVerdict,
  encodeCluster,
  encodeVerdict,
  pushSeq,
} from './record.codec';
import { keepBytes } from './record-probe';
import { SerialQueue } from './serial.queue';
import type { DedupStore, DedupTx } from './dedup.types';

/** In-process store for tests and single-shot tools; holds the same encoded bytes as LMDB. */
export class MemoryDedupStore implements DedupStore {
  private readonly records = new Map<number, Buffer>();
  private readonly buckets = new Map<number, number[]>();
  private readonly clusters = new Map<string, string>();
  private readonly verdicts = new Map<string, string>();
  private readonly claims = new Map<string, { value: string; expiresAt: number }>();
  private seq = 0;
  private readonly queue = new SerialQueue();

  constructor(private readonly now: () => number = Date.now) {}

  get petitionCount(): number {
    return this.records.size;
  }

  transact<T>(work: (tx: DedupTx) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      const writes: (() => void)[] = [];
      let seq = this.seq;
      const tx: DedupTx = {
        getVerdict: (id) => {
          const v = this.verdicts.get(id);
          return Promise.resolve(v === undefined ? null : decodeVerdict(v));
        },
        // Lists are replaced, never mutated, on push: handing them out is safe.
        getBuckets: (keys, cap) =>
          Promise.resolve(keys.map((k) => (this.buckets.get(k) ?? []).slice(0, cap))),
        getRecords: (seqs, keep) => {
          const keepIt = keepBytes(keep);
          return Promise.resolve(
            seqs.map((s) => {
              const b = this.records.get(s);
              return b && (!keepIt || keepIt(b)) ? b : null;
            }),
          );
        },
        getCluster: (id) => {
          const c = this.clusters.get(id);
          return Promise.resolve(c === undefined ? null : decodeCluster(c));
        },
        nextSeq: () => Promise.resolve(++seq),
        putRecord: (seq, bytes) => writes.push(() => this.records.set(seq, bytes)),
        pushBuckets: (keys, s, cap) =>
          writes.push(() => {
            for (const k of keys) this.buckets.set(k, pushSeq(this.buckets.get(k) ?? [], s, cap));
          }),
        putCluster: (state) => {
          const c = encodeCluster(state);
          writes.push(() => this.clusters.set(state.clusterId, c));
        },
        putVerdict: (id, verdict) => {
          const v = encodeVerdict(verdict);
          writes.push(() => this.verdicts.set(id, v));
        },
      };
      const result = await work(tx);
      this.seq = seq;
      for (const w of writes) w();
      return result;
    });
  }

  claimKey(key: string, value: string, ttlSeconds?: number): Promise<string | null> {
    const now = this.now();
    const existing = this.claims.get(key);
    if (existing && existing.expiresAt > now) return Promise.resolve(existing.value);
    const expiresAt = ttlSeconds && ttlSeconds > 0 ? now + ttlSeconds * 1000 : Infinity;
    this.claims.set(key, { value, expiresAt });
    return Promise.resolve(null);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
