import type { RateDecision } from '../http/rate-limiter';

/**
 * Everything the gateway remembers between requests, behind one port so replicas can share it.
 * Embedded default: LMDB under GATEWAY_STATE_DIR (one instance). With GATEWAY_REDIS_URL: Redis,
 * shared by every replica. Values are JSON-able records; keys are namespaced by their owner.
 */
export interface GatewayState {
  readonly kind: 'lmdb' | 'redis';

  get<T>(ns: string, key: string): Promise<T | undefined>;
  /** Writes all entries at once (one transaction): durable when the promise resolves. */
  putAll<T>(ns: string, entries: { key: string; value: T; ttlMs?: number }[]): Promise<void>;
  delete(ns: string, key: string): Promise<void>;
  /** Every entry of `ns` whose key starts with `prefix` (bounded use: sweepers, pruning). */
  scan<T>(ns: string, prefix: string): AsyncIterable<{ key: string; value: T }>;

  /**
   * Runs `task` holding `key` exclusively across every replica: a read-decide-publish-write for one
   * SMS group, board post or letter cannot interleave with another for the same key anywhere.
   */
  withLock<R>(key: string, task: () => Promise<R>): Promise<R>;

  /** Takes one token from `key`'s bucket (`burst` at once, refilled at `perHour`), atomically. */
  takeToken(key: string, burst: number, perHour: number, now?: number): Promise<RateDecision>;
  /** Whether `key`'s bucket has a token, taking nothing. */
  peekToken(key: string, burst: number, perHour: number, now?: number): Promise<RateDecision>;

  /**
   * Takes or renews the lease `name` for `holder` for `ttlMs`. Granted: the fencing token, which
   * grows every time the lease changes hands, so work of a holder that lost it can be told apart.
   */
  lease(name: string, holder: string, ttlMs: number): Promise<{ granted: boolean; token: number }>;
  releaseLease(name: string, holder: string): Promise<void>;

  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const GATEWAY_STATE = Symbol('GATEWAY_STATE');

/** The token-bucket arithmetic both implementations share (Redis runs it inside a Lua script). */
export function refill(
  bucket: { tokens: number; at: number } | undefined,
  burst: number,
  perHour: number,
  now: number,
): number {
  if (!bucket) return burst;
  return Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) * perHour) / 3_600_000);
}

export function retryAfter(tokens: number, perHour: number): number {
  return Math.max(1, Math.ceil(((1 - tokens) * 3_600_000) / perHour / 1000));
}
