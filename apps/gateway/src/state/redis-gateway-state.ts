import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { RateDecision } from '../http/rate-limiter';
import { KeyedMutex } from './keyed-mutex';
import { retryAfter, type GatewayState } from './gateway-state.port';

/** Takes (ARGV[4] = 1) or peeks at a token bucket stored as a hash {t, at}. */
const TOKEN_BUCKET = `
local burst = tonumber(ARGV[1])
local perHour = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local take = ARGV[4] == '1'
local b = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = burst
if b[1] then
  tokens = math.min(burst, tonumber(b[1]) + math.max(0, now - tonumber(b[2])) * perHour / 3600000)
end
local allowed = 0
if tokens >= 1 then allowed = 1 end
if take then
  if allowed == 1 then tokens = tokens - 1 end
  redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(now))
  redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 3600000 / perHour) + 1000)
end
return {allowed, tostring(tokens)}
`;

/** Takes or renews a lease {holder, token}; the fencing token grows at each change of hands. */
const LEASE = `
local holder = redis.call('HGET', KEYS[1], 'holder')
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, tonumber(redis.call('HGET', KEYS[1], 'token'))}
end
if holder then return {0, tonumber(redis.call('HGET', KEYS[1], 'token'))} end
local token = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'token', token)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, token}
`;

/** Deletes KEYS[1] only if its field/value still says we own it. */
const RELEASE_IF_OWNER = `
if redis.call('HGET', KEYS[1], 'holder') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
const RENEW_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

export interface RedisGatewayStateOptions {
  /** Prefix of every key (several deployments or tests on one Redis). */
  prefix?: string;
  /** A lock not renewed for this long is free again (its holder died). */
  lockTtlMs?: number;
  /** Longest to wait for a lock before giving up (the request then fails with 503). */
  lockWaitMs?: number;
}

export class LockTimeoutError extends Error {
  constructor(key: string) {
    super(`gave up waiting for the lock on ${key.slice(0, 40)}`);
    this.name = 'LockTimeoutError';
  }
}

/**
 * Gateway state shared by every replica (GATEWAY_REDIS_URL). Locks are SET NX PX with a random
 * owner token, renewed while the task runs and released by a compare-and-delete script; token
 * buckets and leases are Lua scripts, so each decision is one atomic step on the server.
 */
export class RedisGatewayState implements GatewayState {
  readonly kind = 'redis' as const;
  private readonly local = new KeyedMutex();
  private readonly prefix: string;
  private readonly lockTtlMs: number;
  private readonly lockWaitMs: number;

  constructor(
    private readonly redis: Redis,
    options: RedisGatewayStateOptions = {},
  ) {
    this.prefix = options.prefix ?? 'gw:';
    this.lockTtlMs = options.lockTtlMs ?? 15_000;
    this.lockWaitMs = options.lockWaitMs ?? 10_000;
  }

  static connect(url: string, options: RedisGatewayStateOptions = {}): RedisGatewayState {
    return new RedisGatewayState(new Redis(url, { maxRetriesPerRequest: 3 }), options);
  }

  private k(ns: string, key: string): string {
    return `${this.prefix}${ns}:${key}`;
  }

  async get<T>(ns: string, key: string): Promise<T | undefined> {
    const raw = await this.redis.get(this.k(ns, key));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async putAll<T>(ns: string, entries: { key: string; value: T; ttlMs?: number }[]): Promise<void> {
    if (entries.length === 0) return;
    const tx = this.redis.multi();
    for (const { key, value, ttlMs } of entries) {
      const raw = JSON.stringify(value);
      if (ttlMs === undefined) tx.set(this.k(ns, key), raw);
      else tx.set(this.k(ns, key), raw, 'PX', Math.max(1, Math.ceil(ttlMs)));
    }
    const results = await tx.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error('Redis transaction aborted');
  }

  async delete(ns: string, key: string): Promise<void> {
    await this.redis.del(this.k(ns, key));
  }

  async *scan<T>(ns: string, prefix: string): AsyncIterable<{ key: string; value: T }> {
    const base = this.k(ns, '');
    const match = `${escapeGlob(base + prefix)}*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
      cursor = next;
      if (keys.length === 0) continue;
      const values = await this.redis.mget(keys);
      for (let i = 0; i < keys.length; i++) {
        const raw = values[i];
        if (raw != null) yield { key: keys[i]!.slice(base.length), value: JSON.parse(raw) as T };
      }
    } while (cursor !== '0');
  }

  withLock<R>(key: string, task: () => Promise<R>): Promise<R> {
    // One waiter per key per replica: the others queue here instead of polling Redis.
    return this.local.run(key, () => this.withRemoteLock(key, task));
  }

  private async withRemoteLock<R>(key: string, task: () => Promise<R>): Promise<R> {
    const lockKey = this.k('lock', key);
    const owner = randomBytes(12).toString('base64url');
    const deadline = Date.now() + this.lockWaitMs;
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      const ok = await this.redis.set(lockKey, owner, 'PX', this.lockTtlMs, 'NX');
      if (ok === 'OK') break;
      if (Date.now() + wait > deadline) throw new LockTimeoutError(key);
      await new Promise((r) => setTimeout(r, wait));
    }
    const renew = setInterval(() => {
      this.redis.eval(RENEW_LOCK, 1, lockKey, owner, this.lockTtlMs).catch(() => undefined);
    }, this.lockTtlMs / 3);
    renew.unref();
    try {
      return await task();
    } finally {
      clearInterval(renew);
      await this.redis.eval(UNLOCK, 1, lockKey, owner).catch(() => undefined);
    }
  }

  takeToken(key: string, burst: number, perHour: number, now = Date.now()): Promise<RateDecision> {
    return this.bucket(key, burst, perHour, now, true);
  }

  peekToken(key: string, burst: number, perHour: number, now = Date.now()): Promise<RateDecision> {
    return this.bucket(key, burst, perHour, now, false);
  }

  private async bucket(
    key: string,
    burst: number,
    perHour: number,
    now: number,
    take: boolean,
  ): Promise<RateDecision> {
    const [allowed, tokens] = (await this.redis.eval(
      TOKEN_BUCKET,
      1,
      this.k('bucket', key),
      burst,
      perHour,
      now,
      take ? '1' : '0',
    )) as [number, string];
    return allowed === 1
      ? { allowed: true }
      : { allowed: false, retryAfterSeconds: retryAfter(Number(tokens), perHour) };
  }

  async lease(
    name: string,
    holder: string,
    ttlMs: number,
  ): Promise<{ granted: boolean; token: number }> {
    const [granted, token] = (await this.redis.eval(
      LEASE,
      2,
      this.k('lease', name),
      this.k('lease-fence', name),
      holder,
      Math.max(1, Math.ceil(ttlMs)),
    )) as [number, number];
    return { granted: granted === 1, token };
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.redis.eval(RELEASE_IF_OWNER, 1, this.k('lease', name), holder);
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
