import { open, type Database, type RootDatabase } from 'lmdb';
import {
  decodeCluster,
  decodeRecord,
  decodeVerdict,
  encodeCluster,
  encodeRecord,
  encodeVerdict,
  packSeqs,
  pushSeq,
  unpackSeqs,
} from './record.codec';
import { SerialQueue } from './serial.queue';
import type { DedupStore, DedupTx, PetitionRecord } from './dedup.types';

export interface LmdbDedupStoreOptions {
  /** Directory of the environment; created if missing. */
  path: string;
  /** Skip fsync on commit: only for throwaway stores (benchmarks, tests). */
  noSync?: boolean;
  /** Wall clock for claim TTLs. */
  now?: () => number;
}

export interface BulkRecord {
  record: Omit<PetitionRecord, 'seq'>;
  bandKeys: readonly number[];
}

interface Claim {
  v: string;
  exp: number | null;
}

/**
 * The default store: embedded, persistent, no server. One process owns a directory: judgements are
 * serialised in-process, reads are synchronous and each judgement's writes commit in one LMDB
 * transaction. Several normalizer instances need the Redis store instead.
 */
export class LmdbDedupStore implements DedupStore {
  private readonly root: RootDatabase;
  private readonly records: Database<Buffer, number>;
  private readonly buckets: Database<Buffer, number>;
  private readonly clusters: Database<string, string>;
  private readonly verdicts: Database<string, string>;
  private readonly claims: Database<Claim, string>;
  private readonly meta: Database<number, string>;
  private readonly queue = new SerialQueue();
  private readonly now: () => number;
  private seq: number;

  constructor(options: LmdbDedupStoreOptions) {
    this.now = options.now ?? Date.now;
    this.root = open({
      path: options.path,
      maxDbs: 8,
      compression: false,
      noSync: options.noSync ?? false,
    });
    this.records = this.root.openDB<Buffer, number>({
      name: 'records',
      keyEncoding: 'uint32',
      encoding: 'binary',
    });
    this.buckets = this.root.openDB<Buffer, number>({
      name: 'buckets',
      keyEncoding: 'uint32',
      encoding: 'binary',
    });
    this.clusters = this.root.openDB<string, string>({ name: 'clusters', encoding: 'string' });
    this.verdicts = this.root.openDB<string, string>({ name: 'verdicts', encoding: 'string' });
    this.claims = this.root.openDB<Claim, string>({ name: 'claims', encoding: 'msgpack' });
    this.meta = this.root.openDB<number, string>({ name: 'meta', encoding: 'msgpack' });
    this.seq = this.meta.get('seq') ?? 0;
  }

  get petitionCount(): number {
    return (this.records.getStats() as { entryCount?: number }).entryCount ?? 0;
  }

  /** Bytes of B-tree pages in use across the environment's databases (not the sparse file size). */
  usedBytes(): number {
    let pages = 0;
    let pageSize = 4096;
    for (const db of [
      this.records,
      this.buckets,
      this.clusters,
      this.verdicts,
      this.claims,
      this.meta,
    ]) {
      const s = db.getStats() as Record<string, number>;
      pageSize = s.pageSize ?? pageSize;
      pages += (s.treeBranchPageCount ?? 0) + (s.treeLeafPageCount ?? 0) + (s.overflowPages ?? 0);
    }
    return pages * pageSize;
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
        getBuckets: (keys) => Promise.resolve(keys.map((k) => unpackSeqs(this.buckets.get(k)))),
        getRecords: (seqs) =>
          Promise.resolve(
            seqs.map((s) => {
              const b = this.records.get(s);
              return b ? decodeRecord(b) : null;
            }),
          ),
        getCluster: (id) => {
          const c = this.clusters.get(id);
          return Promise.resolve(c === undefined ? null : decodeCluster(c));
        },
        nextSeq: () => Promise.resolve(++seq),
        putRecord: (rec) => {
          const b = encodeRecord(rec);
          writes.push(() => void this.records.put(rec.seq, b));
        },
        pushBuckets: (keys, s, cap) =>
          writes.push(() => {
            for (const k of keys) {
              void this.buckets.put(k, packSeqs(pushSeq(unpackSeqs(this.buckets.get(k)), s, cap)));
            }
          }),
        putCluster: (state) => {
          const c = encodeCluster(state);
          writes.push(() => void this.clusters.put(state.clusterId, c));
        },
        putVerdict: (id, verdict) => {
          const v = encodeVerdict(verdict);
          writes.push(() => void this.verdicts.put(id, v));
        },
      };
      const result = await work(tx);
      if (writes.length > 0) {
        // Reads inside the callback see this transaction's own earlier writes (bucket read-modify-write).
        await this.root.transaction(() => {
          for (const w of writes) w();
          if (seq !== this.seq) void this.meta.put('seq', seq);
        });
        this.seq = seq;
      }
      return result;
    });
  }

  claimKey(key: string, value: string, ttlSeconds?: number): Promise<string | null> {
    const now = this.now();
    return this.queue.run(() =>
      this.root.transaction(() => {
        const existing = this.claims.get(key);
        if (existing && (existing.exp === null || existing.exp > now)) return existing.v;
        void this.claims.put(key, {
          v: value,
          exp: ttlSeconds && ttlSeconds > 0 ? now + ttlSeconds * 1000 : null,
        });
        return null;
      }),
    );
  }

  /**
   * Fast fill for benchmarks and migrations: no verdicts or clusters, records and bucket entries
   * written in large synchronous transactions. Returns the number of records written.
   */
  bulkLoad(items: Iterable<BulkRecord>, bucketCap: number, chunk = 100_000): Promise<number> {
    return this.queue.run(() => {
      let written = 0;
      let batch: BulkRecord[] = [];
      const flush = (): void => {
        const chunkItems = batch;
        batch = [];
        // Group a chunk's bucket entries by key and visit keys in order: one read-modify-write per
        // bucket and sequential B-tree access instead of one random page per entry.
        const perKey = new Map<number, number[]>();
        this.root.transactionSync(() => {
          for (const item of chunkItems) {
            const seq = ++this.seq;
            void this.records.put(seq, encodeRecord({ ...item.record, seq }));
            for (const k of item.bandKeys) {
              const list = perKey.get(k);
              if (list) list.unshift(seq);
              else perKey.set(k, [seq]);
            }
          }
          for (const k of [...perKey.keys()].sort((a, b) => a - b)) {
            const fresh = perKey.get(k) ?? [];
            const merged = [...fresh, ...unpackSeqs(this.buckets.get(k))].slice(
              0,
              Math.max(1, bucketCap),
            );
            void this.buckets.put(k, packSeqs(merged));
          }
          void this.meta.put('seq', this.seq);
        });
        written += chunkItems.length;
      };
      for (const item of items) {
        batch.push(item);
        if (batch.length >= chunk) flush();
      }
      if (batch.length > 0) flush();
      return Promise.resolve(written);
    });
  }

  async close(): Promise<void> {
    await this.queue.run(() => this.root.close());
  }
}
