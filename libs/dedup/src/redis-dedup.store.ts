import Redis from 'ioredis';
import { FINGERPRINT_FORMAT } from './min-hash.fingerprint';
import { decodeCluster, decodeVerdict, encodeCluster, encodeVerdict } from './record.codec';
import { keepBytes } from './record-probe';
import { SerialQueue } from './serial.queue';
import type { DedupStore, DedupTx } from './dedup.types';

export interface RedisDedupStoreOptions {
  /** Key prefix, so several stores (tests, tenants) share one server. */
  prefix?: string;
  /** Expiry of everything the engine writes; longer than the longest dedup window. */
  retentionSeconds?: number;
  /** Optimistic retries before giving up under contention. */
  maxAttempts?: number;
  /**
   * Told when the connection is lost and when it is back: once each per outage, not per
   * reconnect attempt (ioredis retries every few hundred milliseconds for as long as it lasts).
   */
  onConnection?: (event: RedisConnectionEvent) => void;
}

export type RedisConnectionEvent =
  { state: 'lost'; reason: string } | { state: 'restored'; downMs: number };

/** Sets a key unless present, returning the present value; one round trip, atomic on the server. */
const CLAIM_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if v then return v end
if tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
else redis.call('SET', KEYS[1], ARGV[1]) end
return false`;

/**
 * Claims the fingerprint format for a fresh prefix and returns the format the prefix holds;
 * 'legacy' for state written before formats were recorded (a sequence counter, no format key).
 */
const FORMAT_SCRIPT = `
local f = redis.call('GET', KEYS[1])
if f then return f end
if redis.call('EXISTS', KEYS[2]) == 1 then return 'legacy' end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]`;

export class DedupConflictError extends Error {
  readonly retriable = true;
}

/**
 * Shared state for several normalizer instances. A judgement is an optimistic transaction: it
 * WATCHes every key it reads that another judgement could change (its buckets, the verdict, the
 * cluster it joins), then commits its writes in one MULTI/EXEC and re-runs if any changed. So
 * concurrent judgements give verdicts some serial order would give, clusters alert once, and a
 * petition judged twice gets its first verdict. Round trips per judgement: about five.
 * Records are immutable once written, so they are read without watching.
 */
export class RedisDedupStore implements DedupStore {
  private readonly prefix: string;
  private readonly retention: number;
  private readonly maxAttempts: number;
  private readonly queue = new SerialQueue();
  private formatChecked = false;
  private closed = false;
  private downSince: number | null = null;

  /** The connection must be dedicated to this store: WATCH state is per connection. */
  constructor(
    private readonly redis: Redis,
    options: RedisDedupStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'dedup:';
    this.retention = options.retentionSeconds ?? 400 * 86_400;
    this.maxAttempts = options.maxAttempts ?? 20;
    this.watchConnection(options.onConnection);
  }

  /**
   * Without an 'error' listener ioredis prints every failed reconnect to stderr, bypassing the
   * structured log. The listener reports an outage once, and its end (commands in the meantime
   * fail and are retried by the caller: a Kafka batch is re-read).
   */
  private watchConnection(report: RedisDedupStoreOptions['onConnection']): void {
    this.redis.on('error', (error: Error & { code?: string }) => {
      if (this.downSince !== null) return;
      this.downSince = Date.now();
      report?.({ state: 'lost', reason: error.code ?? error.message.slice(0, 200) });
    });
    this.redis.on('ready', () => {
      if (this.downSince === null) return;
      const downMs = Date.now() - this.downSince;
      this.downSince = null;
      report?.({ state: 'restored', downMs });
    });
  }

  static connect(url: string, options: RedisDedupStoreOptions = {}): RedisDedupStore {
    return new RedisDedupStore(new Redis(url, { maxRetriesPerRequest: 3 }), options);
  }

  transact<T>(work: (tx: DedupTx) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      if (!this.formatChecked) await this.checkFormat();
      for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
        const writes: ((m: ReturnType<Redis['multi']>) => void)[] = [];
        let result: T;
        try {
          result = await work(this.tx(writes));
        } catch (err) {
          await this.redis.unwatch();
          throw err;
        }
        if (writes.length === 0) {
          await this.redis.unwatch();
          return result;
        }
        const multi = this.redis.multi();
        for (const w of writes) w(multi);
        const res = await multi.exec();
        if (res === null) continue; // a watched key changed: decide again on fresh state
        const failed = res.find(([err]) => err !== null);
        if (failed?.[0]) throw failed[0];
        return result;
      }
      throw new DedupConflictError(`dedup transaction conflicted ${this.maxAttempts} times`);
    });
  }

  /** Refuses state written with another fingerprint format: its signatures would never match. */
  private async checkFormat(): Promise<void> {
    const want = String(FINGERPRINT_FORMAT);
    const found = await this.redis.eval(
      FORMAT_SCRIPT,
      2,
      `${this.prefix}format`,
      `${this.prefix}seq`,
      want,
    );
    if (found !== want) {
      throw new Error(
        `dedup state under prefix "${this.prefix}" has fingerprint format ${String(found)}, this version needs ${want}: ` +
          `delete the prefix's keys (or use another prefix) to start afresh`,
      );
    }
    this.formatChecked = true;
  }

  private tx(writes: ((m: ReturnType<Redis['multi']>) => void)[]): DedupTx {
    const p = this.prefix;
    const ttl = this.retention;
    return {
      getVerdict: async (id) => {
        const key = `${p}v:${id}`;
        const res = await this.redis.pipeline().watch(key).get(key).exec();
        const v = res?.[1]?.[1];
        return typeof v === 'string' ? decodeVerdict(v) : null;
      },
      getBuckets: async (keys, cap) => {
        if (keys.length === 0) return [];
        const names = keys.map((k) => `${p}b:${k}`);
        const pipe = this.redis.pipeline().watch(...names);
        for (const n of names) pipe.lrange(n, 0, Math.max(1, cap) - 1);
        const res = await pipe.exec();
        return names.map((_, i) => {
          const list = res?.[i + 1]?.[1];
          return Array.isArray(list) ? list.map((s) => Number(s)) : [];
        });
      },
      getRecords: async (seqs, keep) => {
        if (seqs.length === 0) return [];
        const bufs = await this.redis.mgetBuffer(...seqs.map((s) => `${p}r:${s}`));
        const keepIt = keepBytes(keep);
        return bufs.map((b) => (b && (!keepIt || keepIt(b)) ? b : null));
      },
      getCluster: async (id) => {
        const key = `${p}c:${id}`;
        const res = await this.redis.pipeline().watch(key).get(key).exec();
        const v = res?.[1]?.[1];
        return typeof v === 'string' ? decodeCluster(v) : null;
      },
      // Outside the transaction: a retried judgement burns a number, which only leaves a gap.
      nextSeq: () => this.redis.incr(`${p}seq`),
      putRecord: (seq, bytes) => writes.push((m) => m.set(`${p}r:${seq}`, bytes, 'EX', ttl)),
      pushBuckets: (keys, seq, cap) =>
        writes.push((m) => {
          for (const k of keys) {
            const n = `${p}b:${k}`;
            m.lrem(n, 0, String(seq))
              .lpush(n, String(seq))
              .ltrim(n, 0, Math.max(1, cap) - 1)
              .expire(n, ttl);
          }
        }),
      putCluster: (state) => {
        const c = encodeCluster(state);
        writes.push((m) => m.set(`${p}c:${state.clusterId}`, c, 'EX', ttl));
      },
      putVerdict: (id, verdict) => {
        const v = encodeVerdict(verdict);
        writes.push((m) => m.set(`${p}v:${id}`, v, 'EX', ttl));
      },
    };
  }

  async claimKey(key: string, value: string, ttlSeconds?: number): Promise<string | null> {
    const res = await this.redis.eval(
      CLAIM_SCRIPT,
      1,
      `${this.prefix}k:${key}`,
      value,
      String(ttlSeconds ?? 0),
    );
    return typeof res === 'string' ? res : null;
  }

  /**
   * Outside the queue: a PING between another judgement's WATCH and EXEC leaves the watch alone.
   * A connection that is not ready fails at once instead of waiting for ioredis's reconnects.
   */
  async ping(): Promise<void> {
    if (this.closed) throw new Error('dedup store closed');
    if (this.redis.status !== 'ready') throw new Error(`redis connection ${this.redis.status}`);
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.queue.run(async () => {
      // Closing twice (a shutdown hook, then an explicit close) is not an error.
      if (this.closed) return;
      this.closed = true;
      await this.redis.quit();
    });
  }
}
