import { open, type Database, type RootDatabase } from 'lmdb';
import { BucketIndex } from './bucket-index';
import { recordIndexKeys } from './record-index-keys';
import { FINGERPRINT_FORMAT } from './min-hash.fingerprint';
import {
  decodeCluster,
  decodeVerdict,
  encodeCluster,
  encodeRecord,
  encodeVerdict,
  recordReceivedAt,
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
  /**
   * Records received this long before the newest one are left out of the bucket index rebuilt at
   * open (they stay on disk). Longer than the longest dedup window; default 400, as Redis retention.
   */
  indexHorizonDays?: number;
}

export interface BulkRecord {
  record: Omit<PetitionRecord, 'seq'>;
}

interface Claim {
  v: string;
  exp: number | null;
}

const DAY_MS = 86_400_000;

/**
 * The default store: embedded, persistent, no server. One process owns a directory: judgements are
 * serialised in-process, reads are synchronous and each judgement's writes commit in one LMDB
 * transaction. Several normalizer instances need the Redis store instead.
 *
 * Only records, clusters, verdicts and claims are on disk. The LSH and entity buckets are an
 * in-memory index (bucket-index.ts) rebuilt at open from the records, whose signatures and entity
 * codes determine every bucket they belong to: a judgement then writes one record instead of a
 * read-modify-write of some twenty bucket lists, and state still survives a restart.
 */
export class LmdbDedupStore implements DedupStore {
  private readonly root: RootDatabase;
  private readonly records: Database<Buffer, number>;
  private readonly clusters: Database<string, string>;
  private readonly verdicts: Database<string, string>;
  private readonly claims: Database<Claim, string>;
  private readonly meta: Database<number, string>;
  private readonly index = new BucketIndex();
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
    this.clusters = this.root.openDB<string, string>({ name: 'clusters', encoding: 'string' });
    this.verdicts = this.root.openDB<string, string>({ name: 'verdicts', encoding: 'string' });
    this.claims = this.root.openDB<Claim, string>({ name: 'claims', encoding: 'msgpack' });
    this.meta = this.root.openDB<number, string>({ name: 'meta', encoding: 'msgpack' });
    this.seq = this.meta.get('seq') ?? 0;
    try {
      this.checkFormat(options.path);
    } catch (err) {
      void this.root.close();
      throw err;
    }
    this.rebuildIndex((options.indexHorizonDays ?? 400) * DAY_MS);
  }

  /**
   * State written with another fingerprint format (or before formats were recorded) would never
   * match new petitions: refuse it rather than silently missing every duplicate.
   */
  private checkFormat(path: string): void {
    const format = this.meta.get('format');
    if (format === FINGERPRINT_FORMAT) return;
    if (format === undefined && this.seq === 0) {
      this.meta.putSync('format', FINGERPRINT_FORMAT);
      return;
    }
    throw new Error(
      `dedup store at ${path} has fingerprint format ${format ?? 'none (before formats were recorded)'}, ` +
        `this version needs ${FINGERPRINT_FORMAT}: move the directory away (or delete it) to start afresh`,
    );
  }

  /** Bucket entries of every record within the horizon of the newest one, in seq order. */
  private rebuildIndex(horizonMs: number): void {
    let newest = -Infinity;
    for (const { value } of this.records.getRange())
      newest = Math.max(newest, recordReceivedAt(value));
    for (const { key, value } of this.records.getRange()) {
      if (recordReceivedAt(value) < newest - horizonMs) continue;
      for (const k of recordIndexKeys(value)) this.index.push(k, key);
    }
  }

  get petitionCount(): number {
    return (this.records.getStats() as { entryCount?: number }).entryCount ?? 0;
  }

  /** Bytes of B-tree pages in use across the environment's databases (not the sparse file size). */
  usedBytes(): number {
    let pages = 0;
    let pageSize = 4096;
    for (const db of [this.records, this.clusters, this.verdicts, this.claims, this.meta]) {
      const s = db.getStats() as Record<string, number>;
      pageSize = s.pageSize ?? pageSize;
      pages += (s.treeBranchPageCount ?? 0) + (s.treeLeafPageCount ?? 0) + (s.overflowPages ?? 0);
    }
    return pages * pageSize;
  }

  /** Memory held by the in-memory bucket index (entries and slots). */
  indexBytes(): number {
    return this.index.bytes;
  }

  transact<T>(work: (tx: DedupTx) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      const writes: (() => void)[] = [];
      const pushes: [readonly number[], number][] = [];
      let seq = this.seq;
      const tx: DedupTx = {
        getVerdict: (id) => {
          const v = this.verdicts.get(id);
          return Promise.resolve(v === undefined ? null : decodeVerdict(v));
        },
        getBuckets: (keys, cap) => Promise.resolve(keys.map((k) => this.index.list(k, cap))),
        // getBinaryFast hands out lmdb's shared read buffer (reused by the next read, and longer
        // than the record): `keep` scores it in place; the few kept are read again as copies.
        getRecords: (seqs, keep) =>
          Promise.resolve(
            seqs.map((s) => {
              if (!keep) return this.records.getBinary(s) ?? null;
              const fast = this.records.getBinaryFast(s);
              return fast && keep(fast) ? (this.records.getBinary(s) ?? null) : null;
            }),
          ),
        getCluster: (id) => {
          const c = this.clusters.get(id);
          return Promise.resolve(c === undefined ? null : decodeCluster(c));
        },
        nextSeq: () => Promise.resolve(++seq),
        putRecord: (s, bytes) => writes.push(() => void this.records.put(s, bytes)),
        // The index is the bucket lists' only home: applied once the records are committed. Every
        // push is the record's own keys (recordIndexKeys), so a rebuild gives the same lists.
        pushBuckets: (keys, s) => void pushes.push([keys, s]),
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
        await this.root.transaction(() => {
          for (const w of writes) w();
          if (seq !== this.seq) void this.meta.put('seq', seq);
        });
        this.seq = seq;
      }
      for (const [keys, s] of pushes) for (const k of keys) this.index.push(k, s);
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
   * Fast fill for benchmarks and migrations: no verdicts or clusters, records written in large
   * synchronous transactions and indexed. Returns the number of records written.
   */
  bulkLoad(items: Iterable<BulkRecord>, chunk = 100_000): Promise<number> {
    return this.queue.run(() => {
      let written = 0;
      let batch: Buffer[] = [];
      const flush = (): void => {
        const first = this.seq + 1;
        this.root.transactionSync(() => {
          batch.forEach((bytes, i) => void this.records.put(first + i, bytes));
          void this.meta.put('seq', first + batch.length - 1);
        });
        batch.forEach((bytes, i) => {
          for (const k of recordIndexKeys(bytes)) this.index.push(k, first + i);
        });
        this.seq = first + batch.length - 1;
        written += batch.length;
        batch = [];
      };
      for (const item of items) {
        batch.push(encodeRecord({ ...item.record, seq: this.seq + batch.length + 1 }));
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
