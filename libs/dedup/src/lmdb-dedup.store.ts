import { open, type Database, type RootDatabase } from 'lmdb';
import { BucketIndex } from './bucket-index';
import { IdLog } from './id-log';
import { indexRecord, RollingReindex } from './rolling-reindex';
import { FINGERPRINT_FORMAT } from './min-hash.fingerprint';
import {
  decodeCluster,
  decodeVerdict,
  encodeCluster,
  encodeRecord,
  encodeVerdict,
  recordReceivedAt,
} from './record.codec';
import { RecordColumns } from './record-columns';
import { BytesProbe } from './record-probe';
import { SerialQueue } from './serial.queue';
import type {
  ClusterState,
  DedupStore,
  DedupTx,
  DedupVerdict,
  PetitionRecord,
  SyncDedupTx,
} from './dedup.types';

export interface LmdbDedupStoreOptions {
  /** Directory of the environment; created if missing. */
  path: string;
  /** Skip fsync on commit: only for throwaway stores (benchmarks, tests). */
  noSync?: boolean;
  /** Wall clock for claim TTLs. */
  now?: () => number;
  /**
   * Records received this long before the newest one are left out of the bucket index (at open,
   * and while running once the index holds records 1.25 times as old) and deleted. Longer than the
   * longest dedup window; default 400, as Redis retention.
   */
  indexHorizonDays?: number;
  /** Seqs between retention checkpoints (see pruneAtOpen); default 10,000. */
  checkpointEvery?: number;
  /** Records read per step of the retention while running (see maybeStartReindex); default 20,000. */
  reindexSlice?: number;
  /** Told what the retention while running deleted, each time it has (for the log and metrics). */
  onReindexed?: (deleted: EntryCounts) => void;
}

/** Entries of each kind: what the retention at open deleted, or what is on disk. */
export interface EntryCounts {
  records: number;
  clusterEntries: number;
  verdictEntries: number;
  claims: number;
}

/**
 * Where the logs stood when every record committed so far had been received at or before `at`
 * (the newest receivedAt then): log entries up to these keys belong to petitions no newer.
 */
interface Checkpoint {
  at: number;
  clusters: number;
  verdicts: number;
}

/**
 * The newest receivedAt of the records up to `seq`, stored with each commit, so that an open reads
 * only the records after `seq` to find the newest (a scan of every record was 1.1 s of an 8 s open
 * at 1M petitions). Records written without it (bulk loads, earlier versions) are after it or,
 * without a mark, scanned.
 */
interface NewestMark {
  at: number;
  seq: number;
}

/** What a rebuild found that the retention at open deletes. */
interface RebuildFindings {
  expiredSeqs: number[];
  supersededClusters: number[];
  supersededVerdicts: number[];
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
 * A judgement's view: writes queued for the LMDB commit (each returns what to do in memory once
 * it has committed, if anything), and the last seq it handed out.
 */
interface LmdbTx extends SyncDedupTx {
  writes: (() => (() => void) | void)[];
  lastSeq(): number;
}

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
  private readonly clusters: IdLog<ClusterState>;
  private readonly verdicts: IdLog<DedupVerdict>;
  private readonly claims: Database<Claim, string>;
  private readonly meta: Database<unknown, string>;
  private index = new BucketIndex();
  private columns = new RecordColumns();
  private readonly horizonMs: number;
  private readonly checkpointEvery: number;
  private checkpoints: Checkpoint[] = [];
  /** Newest receivedAt of any record written (−Infinity: none). */
  private newest = -Infinity;
  /** What the retention at open deleted (for the boot log). */
  readonly pruned: EntryCounts;
  /** The retention while running, between its steps; null when none is under way. */
  private reindex: RollingReindex | null = null;
  private reindexDone: (() => void) | null = null;
  private reindexed: Promise<void> = Promise.resolve();
  private readonly reindexSlice: number;
  private readonly onReindexed: (deleted: EntryCounts) => void;
  /** Oldest receivedAt in the index (Infinity: none), which decides when to reindex. */
  private oldestIndexed = Infinity;
  private closed = false;
  private readonly queue = new SerialQueue();
  private readonly now: () => number;
  private seq: number;
  /** RecordColumns.touch's sums, kept so that its reads are not optimised away. */
  private touched = 0;

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
    const log = (name: string) =>
      this.root.openDB<string, number>({ name, keyEncoding: 'uint32', encoding: 'string' });
    this.clusters = new IdLog(log('cluster-log'), encodeCluster, decodeCluster);
    this.verdicts = new IdLog(log('verdict-log'), encodeVerdict, decodeVerdict);
    this.claims = this.root.openDB<Claim, string>({ name: 'claims', encoding: 'msgpack' });
    this.meta = this.root.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' });
    this.seq = (this.meta.get('seq') as number | undefined) ?? 0;
    try {
      this.checkFormat(options.path);
    } catch (err) {
      void this.root.close();
      throw err;
    }
    this.horizonMs = (options.indexHorizonDays ?? 400) * DAY_MS;
    this.checkpointEvery = Math.max(1, options.checkpointEvery ?? 10_000);
    this.reindexSlice = Math.max(1, options.reindexSlice ?? 20_000);
    this.onReindexed = options.onReindexed ?? (() => undefined);
    const findings = this.rebuildIndex();
    try {
      this.migrateKeyedTables();
      this.pruned = this.pruneAtOpen(findings);
    } catch (err) {
      void this.root.close();
      throw err;
    }
  }

  /**
   * Retention: what no judgement can read any more leaves the disk, so the directory and the time
   * to open it follow the horizon instead of all history (Redis gets the same from key expiry).
   * - records received before the horizon (they are not indexed, so no lookup finds them);
   * - cluster and verdict log entries that a newer entry of the same id superseded;
   * - log entries written before the newest checkpoint that is older than the horizon: every
   *   record committed by then was older too, so those clusters have no member left to be found,
   *   and those verdicts only answered a redelivery of a petition judged over a horizon ago (a
   *   duplicate's verdict goes with them even if the duplicate itself came later);
   * - expired claims.
   * While running, each retention (maybeStartReindex) deletes all of these but the superseded log
   * entries, which only a rebuild finds: they wait for the next open.
   */
  private pruneAtOpen(found: RebuildFindings): EntryCounts {
    this.checkpoints = (this.meta.get('checkpoints') as Checkpoint[] | undefined) ?? [];
    const pruned = this.pruneLogsAndClaims(found.supersededClusters, found.supersededVerdicts);
    this.removeAll(this.records, found.expiredSeqs);
    if (Number.isFinite(this.newest)) this.checkpoints.push(this.checkpointNow());
    this.meta.putSync('checkpoints', this.checkpoints);
    // The logs' indexes are not rebuilt: a slot left pointing at a deleted entry reads as absent
    // (its id's state expired), and the next open's rebuild drops it.
    return { ...pruned, records: found.expiredSeqs.length };
  }

  /**
   * Log entries up to the newest checkpoint older than the horizon, the given superseded ones (only
   * a rebuild at open finds them), and expired claims leave the disk; checkpoints older than the
   * horizon are dropped (the caller stores the list).
   */
  private pruneLogsAndClaims(
    supersededClusters: number[] = [],
    supersededVerdicts: number[] = [],
  ): Omit<EntryCounts, 'records'> {
    const cutoff = this.newest - this.horizonMs;
    let past: Checkpoint | undefined;
    for (const c of this.checkpoints) if (c.at < cutoff) past = c;
    // A log's newest entry always stays, so that its keys keep growing across opens (the next
    // open's index starts after it) and no checkpoint ever names a key that is handed out again.
    // Superseded entries are older than their id's newest, so never the log's newest.
    const logKeys = (
      log: { db: Database<string, number>; lastKey: number },
      superseded: number[],
      checkpointKey: number,
    ): number[] => {
      const upTo = Math.min(checkpointKey, log.lastKey - 1);
      return [...log.db.getKeys({ end: upTo + 1 }), ...superseded.filter((k) => k > upTo)];
    };
    const clusterKeys = logKeys(this.clusters, supersededClusters, past?.clusters ?? 0);
    const verdictKeys = logKeys(this.verdicts, supersededVerdicts, past?.verdicts ?? 0);
    const now = this.now();
    const claims: string[] = [];
    for (const { key, value } of this.claims.getRange())
      if (value.exp !== null && value.exp <= now) claims.push(key);
    this.removeAll(this.clusters.db, clusterKeys);
    this.removeAll(this.verdicts.db, verdictKeys);
    this.removeAll(this.claims, claims);
    this.checkpoints = this.checkpoints.filter((c) => c.at >= cutoff);
    return {
      clusterEntries: clusterKeys.length,
      verdictEntries: verdictKeys.length,
      claims: claims.length,
    };
  }

  /** Deletes in transactions of at most 50,000 keys (one huge transaction holds every page). */
  private removeAll<K extends string | number>(db: Database<unknown, K>, keys: K[]): void {
    for (let i = 0; i < keys.length; i += 50_000) {
      const chunk = keys.slice(i, i + 50_000);
      this.root.transactionSync(() => {
        for (const k of chunk) void db.remove(k);
      });
    }
  }

  private checkpointNow(): Checkpoint {
    return {
      at: this.newest,
      clusters: this.clusters.lastKey,
      verdicts: this.verdicts.lastKey,
    };
  }

  /** Records, log entries (superseded ones included) and claims on disk. */
  storedEntries(): EntryCounts {
    return {
      records: this.records.getKeysCount(),
      clusterEntries: this.clusters.entries(),
      verdictEntries: this.verdicts.entries(),
      claims: this.claims.getKeysCount(),
    };
  }

  /**
   * Stores written before the logs kept verdicts and clusters in tables keyed by id ('verdicts',
   * 'clusters'): their entries move into the logs once, in one transaction, and the old tables
   * are emptied. A failed copy commits nothing and the store does not open.
   */
  private migrateKeyedTables(): void {
    const old = ['verdicts', 'clusters'].map((name) =>
      this.root.openDB<string, string>({ name, encoding: 'string' }),
    );
    const [verdicts, clusters] = old as [Database<string, string>, Database<string, string>];
    if (old.every((db) => db.getKeysCount({ limit: 1 }) === 0)) return;
    this.root.transactionSync(() => {
      for (const { key, value } of verdicts.getRange()) this.verdicts.appendNow(key, value);
      for (const { key, value } of clusters.getRange()) this.clusters.appendNow(key, value);
    });
    // After the copy has committed. Interrupted in between, the next open copies again: the same
    // values appended once more, and the newest entry of an id is what counts.
    for (const db of old) db.clearSync();
  }

  /**
   * State written with another fingerprint format (or before formats were recorded) would never
   * match new petitions: refuse it rather than silently missing every duplicate.
   */
  private checkFormat(path: string): void {
    const format = this.meta.get('format') as number | undefined;
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

  /**
   * Bucket entries and candidate columns of every record within the horizon of the newest one, in
   * seq order, from scratch. Returns what lies outside (for the retention at open).
   */
  private rebuildIndex(): RebuildFindings {
    const supersededVerdicts = this.verdicts.rebuild();
    const supersededClusters = this.clusters.rebuild();
    const mark = this.meta.get('newest') as NewestMark | undefined;
    let newest = mark?.at ?? -Infinity;
    for (const { value } of this.records.getRange(mark ? { start: mark.seq + 1 } : {}))
      newest = Math.max(newest, recordReceivedAt(value));
    const rebuilt = new RollingReindex(this.records, newest - this.horizonMs);
    rebuilt.step(Infinity);
    // A retention under way was building toward what this index already is (and deleted nothing).
    this.finishReindex();
    this.useIndex(rebuilt);
    return { expiredSeqs: rebuilt.expired, supersededClusters, supersededVerdicts };
  }

  private addToIndex(seq: number, bytes: Uint8Array): void {
    this.noteIndexed(indexRecord(this.index, this.columns, seq, bytes));
  }

  private noteIndexed(at: number): void {
    this.newest = Math.max(this.newest, at);
    this.oldestIndexed = Math.min(this.oldestIndexed, at);
  }

  private useIndex(built: RollingReindex): void {
    this.index = built.index;
    this.columns = built.columns;
    this.newest = built.newest;
    this.oldestIndexed = built.oldest;
  }

  /**
   * Retention while running: once the index holds records received a quarter of the horizon
   * before it, a RollingReindex builds one without them, a slice between judgements, and replaces
   * it; then those records leave the disk. Memory thus stays within 1.25 horizons of petitions
   * (twice that while a new index is being built beside the live one) without a restart.
   */
  private maybeStartReindex(): void {
    if (this.reindex || this.closed || this.newest - this.oldestIndexed <= this.horizonMs * 1.25)
      return;
    this.reindex = new RollingReindex(this.records, this.newest - this.horizonMs);
    this.reindexed = new Promise((resolve) => (this.reindexDone = resolve));
    this.scheduleReindexStep();
  }

  private scheduleReindexStep(): void {
    setImmediate(() => {
      if (this.closed || !this.reindex) return;
      // In the queue: no judgement is between its reads and its commit while a step runs. A step
      // that fails (a disk error) leaves the live index, which is whole; the next commit retries.
      this.queue.run(() => Promise.resolve(this.reindexStep())).catch(() => this.finishReindex());
    });
  }

  private reindexStep(): void {
    const r = this.reindex;
    if (!r || this.closed) return;
    if (!r.step(this.reindexSlice)) {
      this.scheduleReindexStep();
      return;
    }
    this.useIndex(r);
    this.finishReindex();
    this.removeAll(this.records, r.expired);
    const deleted = this.pruneLogsAndClaims();
    void this.meta.put('checkpoints', this.checkpoints);
    this.onReindexed({ ...deleted, records: r.expired.length });
  }

  private finishReindex(): void {
    this.reindex = null;
    this.reindexDone?.();
    this.reindexDone = null;
  }

  /** Resolves when no retention is under way (for tests and benchmarks). */
  whenReindexed(): Promise<void> {
    return this.reindexed;
  }

  get petitionCount(): number {
    return (this.records.getStats() as { entryCount?: number }).entryCount ?? 0;
  }

  /** Bytes of B-tree pages in use across the environment's databases (not the sparse file size). */
  usedBytes(): number {
    let pages = 0;
    let pageSize = 4096;
    for (const db of [this.records, this.clusters.db, this.verdicts.db, this.claims, this.meta]) {
      const s = db.getStats() as Record<string, number>;
      pageSize = s.pageSize ?? pageSize;
      pages += (s.treeBranchPageCount ?? 0) + (s.treeLeafPageCount ?? 0) + (s.overflowPages ?? 0);
    }
    return pages * pageSize;
  }

  /** Memory held in typed arrays: bucket index, record columns, verdict and cluster indexes. */
  indexBytes(): number {
    return (
      this.index.bytes + this.columns.bytes + this.verdicts.indexBytes + this.clusters.indexBytes
    );
  }

  /**
   * Judgements read synchronously and see their own writes: the bucket index and the record
   * columns take each push and record at once (so a batch needs no overlay), LMDB gets the writes
   * in one transaction at the end. Should `work` throw or the commit fail, the in-memory state is
   * rebuilt from the records on disk, which never saw the uncommitted writes.
   */
  transactSync<T>(work: (tx: SyncDedupTx) => T): Promise<T> {
    return this.queue.run(async () => {
      const tx = this.openTx();
      let result: T;
      try {
        result = work(tx);
      } catch (err) {
        this.rebuildIndex();
        throw err;
      }
      await this.commit(tx);
      return result;
    });
  }

  transact<T>(work: (tx: DedupTx) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      const s = this.openTx();
      const tx: DedupTx = {
        getVerdict: (id) => Promise.resolve(s.getVerdict(id)),
        // Fresh lists, not the synchronous view's reused ones: an asynchronous caller may hold them.
        getBuckets: (keys, cap) => Promise.resolve(this.index.listsInto(keys, cap, [])),
        getRecords: (seqs, keep) => Promise.resolve(s.getRecords(seqs, keep)),
        getCluster: (id) => Promise.resolve(s.getCluster(id)),
        nextSeq: () => Promise.resolve(s.nextSeq()),
        putRecord: (seq, bytes) => s.putRecord(seq, bytes),
        pushBuckets: (keys, seq, cap) => s.pushBuckets(keys, seq, cap),
        putCluster: (state) => s.putCluster(state),
        putVerdict: (id, verdict) => s.putVerdict(id, verdict),
      };
      let result: T;
      try {
        result = await work(tx);
      } catch (err) {
        this.rebuildIndex();
        throw err;
      }
      await this.commit(s);
      return result;
    });
  }

  private openTx(): LmdbTx {
    const own = {
      verdicts: new Map<string, DedupVerdict>(),
      clusters: new Map<string, ClusterState>(),
    };
    const writes: LmdbTx['writes'] = [];
    const bytesProbe = new BytesProbe();
    const lists: number[][] = [];
    let seq = this.seq;
    return {
      writes,
      lastSeq: () => seq,
      getVerdict: (id) => {
        return own.verdicts.get(id) ?? this.verdicts.get(id);
      },
      // Lists are overwritten by the next call (the engine reads them before its next lookup).
      getBuckets: (keys, cap) => this.index.listsInto(keys, cap, lists),
      // Every indexed record is in memory (this transaction's too): no LMDB read for candidates.
      getRecords: (seqs, keep) => {
        this.touched += this.columns.touch(seqs);
        return seqs.map((s) => {
          if (this.columns.probe(s))
            return !keep || keep(this.columns) ? this.columns.recordBytes() : null;
          const fast = this.records.getBinaryFast(s);
          return fast && (!keep || keep(bytesProbe.at(fast)))
            ? (this.records.getBinary(s) ?? null)
            : null;
        });
      },
      getCluster: (id) => {
        return own.clusters.get(id) ?? this.clusters.get(id);
      },
      nextSeq: () => ++seq,
      putRecord: (s, bytes) => {
        this.columns.add(s, bytes);
        this.noteIndexed(recordReceivedAt(bytes));
        writes.push(() => void this.records.put(s, bytes));
      },
      // The index is the bucket lists' only home. Every push is the record's own keys
      // (recordIndexKeys), so a rebuild gives the same lists.
      pushBuckets: (keys, s) => {
        for (const k of keys) this.index.push(k, s);
      },
      // Later puts of one cluster in this transaction supersede earlier ones: only the last is
      // appended.
      putCluster: (state) => {
        if (!own.clusters.has(state.clusterId))
          writes.push(() => {
            const last = own.clusters.get(state.clusterId) as ClusterState;
            return this.clusters.append(last.clusterId, last);
          });
        own.clusters.set(state.clusterId, state);
      },
      putVerdict: (id, verdict) => {
        own.verdicts.set(id, verdict);
        writes.push(() => this.verdicts.append(id, verdict));
      },
    };
  }

  private async commit(tx: LmdbTx): Promise<void> {
    if (tx.writes.length === 0) return;
    const seq = tx.lastSeq();
    const committed: (() => void)[] = [];
    let checkpoints = this.checkpoints;
    try {
      await this.root.transaction(() => {
        for (const w of tx.writes) {
          const then = w();
          if (then) committed.push(then);
        }
        if (seq !== this.seq) {
          void this.meta.put('seq', seq);
          // putRecord has noted this transaction's records already.
          void this.meta.put('newest', { at: this.newest, seq } satisfies NewestMark);
        }
        // After this transaction's log entries, in it: the checkpoint covers exactly them.
        if (Math.floor(seq / this.checkpointEvery) > Math.floor(this.seq / this.checkpointEvery)) {
          checkpoints = [...this.checkpoints, this.checkpointNow()];
          void this.meta.put('checkpoints', checkpoints);
        }
      });
    } catch (err) {
      this.rebuildIndex();
      throw err;
    }
    for (const then of committed) then();
    this.seq = seq;
    this.checkpoints = checkpoints;
    this.maybeStartReindex();
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
        const last = first + batch.length - 1;
        let at = this.newest;
        for (const bytes of batch) at = Math.max(at, recordReceivedAt(bytes));
        this.root.transactionSync(() => {
          batch.forEach((bytes, i) => void this.records.put(first + i, bytes));
          void this.meta.put('seq', last);
          void this.meta.put('newest', { at, seq: last } satisfies NewestMark);
        });
        batch.forEach((bytes, i) => this.addToIndex(first + i, bytes));
        this.seq = last;
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

  ping(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('dedup store closed'));
    // A read through the environment: fails if LMDB can no longer map or read the file.
    this.meta.get('seq');
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.finishReindex();
    await this.queue.run(() => this.root.close());
  }
}
