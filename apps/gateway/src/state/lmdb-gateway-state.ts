import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { RateDecision } from '../http/rate-limiter';
import { KeyedMutex } from './keyed-mutex';
import { refill, retryAfter, type GatewayState } from './gateway-state.port';

interface Stored {
  v: unknown;
  /** Expiry, ms since the epoch (absent: kept until deleted). */
  exp?: number;
}

/**
 * The embedded default for a single instance: LMDB under GATEWAY_STATE_DIR/shared, fsynced on
 * commit. Locks are in-process (there is no other process to exclude) and the lease is always this
 * instance's; token buckets live in memory (a restart forgives, as before).
 */
export class LmdbGatewayState implements GatewayState {
  readonly kind = 'lmdb' as const;
  private readonly root: RootDatabase;
  private readonly dbs = new Map<string, Database<Stored, string>>();
  private readonly locks = new KeyedMutex();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly leases = new Map<string, { holder: string; token: number; until: number }>();

  constructor(dir: string) {
    const path = join(resolve(dir), 'shared');
    mkdirSync(path, { recursive: true });
    this.root = open({ path, maxDbs: 32, compression: false });
  }

  private db(ns: string): Database<Stored, string> {
    let db = this.dbs.get(ns);
    if (!db) {
      db = this.root.openDB<Stored, string>({ name: ns, encoding: 'msgpack' });
      this.dbs.set(ns, db);
    }
    return db;
  }

  get<T>(ns: string, key: string): Promise<T | undefined> {
    const stored = this.db(ns).get(key);
    if (!stored || (stored.exp !== undefined && stored.exp <= Date.now())) {
      return Promise.resolve(undefined);
    }
    return Promise.resolve(stored.v as T);
  }

  async putAll<T>(ns: string, entries: { key: string; value: T; ttlMs?: number }[]): Promise<void> {
    if (entries.length === 0) return;
    const db = this.db(ns);
    const now = Date.now();
    await this.root.transaction(() => {
      for (const { key, value, ttlMs } of entries) {
        void db.put(key, ttlMs === undefined ? { v: value } : { v: value, exp: now + ttlMs });
      }
    });
  }

  async delete(ns: string, key: string): Promise<void> {
    await this.db(ns).remove(key);
  }

  // LMDB reads are synchronous; the port is async for Redis's sake.
  // eslint-disable-next-line @typescript-eslint/require-await
  async *scan<T>(ns: string, prefix: string): AsyncIterable<{ key: string; value: T }> {
    const now = Date.now();
    for (const { key, value } of this.db(ns).getRange({ start: prefix })) {
      if (!key.startsWith(prefix)) break;
      if (value.exp !== undefined && value.exp <= now) continue;
      yield { key, value: value.v as T };
    }
  }

  withLock<R>(key: string, task: () => Promise<R>): Promise<R> {
    return this.locks.run(key, task);
  }

  takeToken(key: string, burst: number, perHour: number, now = Date.now()): Promise<RateDecision> {
    const tokens = refill(this.buckets.get(key), burst, perHour, now);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return Promise.resolve({ allowed: false, retryAfterSeconds: retryAfter(tokens, perHour) });
    }
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    // Map order is insertion order: the longest idle (likely refilled) go first.
    if (this.buckets.size > 100_000) this.buckets.delete(this.buckets.keys().next().value!);
    return Promise.resolve({ allowed: true });
  }

  peekToken(key: string, burst: number, perHour: number, now = Date.now()): Promise<RateDecision> {
    const tokens = refill(this.buckets.get(key), burst, perHour, now);
    return Promise.resolve(
      tokens >= 1
        ? { allowed: true }
        : { allowed: false, retryAfterSeconds: retryAfter(tokens, perHour) },
    );
  }

  lease(name: string, holder: string, ttlMs: number): Promise<{ granted: boolean; token: number }> {
    const now = Date.now();
    const current = this.leases.get(name);
    if (current && current.holder !== holder && current.until > now) {
      return Promise.resolve({ granted: false, token: current.token });
    }
    const token = current?.holder === holder ? current.token : (current?.token ?? 0) + 1;
    this.leases.set(name, { holder, token, until: now + ttlMs });
    return Promise.resolve({ granted: true, token });
  }

  releaseLease(name: string, holder: string): Promise<void> {
    const current = this.leases.get(name);
    if (current?.holder === holder) this.leases.set(name, { ...current, until: 0 });
    return Promise.resolve();
  }

  ping(): Promise<boolean> {
    return Promise.resolve(true);
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
