import type { FastifyReply } from 'fastify';

interface Bucket {
  tokens: number;
  at: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * A token bucket per key (a client address, a scraper's key, an SMS gateway): `burst` at once,
 * refilled at `perHour`. In memory and per instance: it blunts floods; a deployment with several
 * instances shares the budget only as far as its load balancer pins senders. At most `maxKeys`
 * keys are tracked, the longest idle forgotten first. The clock is passed in so tables can drive it.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly burst: number,
    perHour: number,
    private readonly maxKeys = 100_000,
  ) {
    this.perMs = perHour / 3_600_000;
  }

  /** Whether a token is left, without taking it. */
  peek(key: string, now = Date.now()): RateDecision {
    const b = this.buckets.get(key);
    if (!b) return { allowed: true };
    const tokens = Math.min(this.burst, b.tokens + (now - b.at) * this.perMs);
    return tokens >= 1
      ? { allowed: true }
      : {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000)),
        };
  }

  /** Takes one token; when none is left, says how many seconds until one is. */
  take(key: string, now = Date.now()): RateDecision {
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    const tokens = Math.min(this.burst, b.tokens + (now - b.at) * this.perMs);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000)),
      };
    }
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > this.maxKeys) {
      // Map order is insertion order: the oldest entries are the longest idle, likely refilled.
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    return { allowed: true };
  }
}

/** Token buckets with their own budget per key, e.g. one per configured gateway or scraper. */
export class KeyedLimiters {
  private readonly limiters = new Map<string, TokenBucketLimiter>();

  constructor(budgets: Iterable<[string, { burst: number; perMinute: number }]>) {
    for (const [key, b] of budgets)
      this.limiters.set(key, new TokenBucketLimiter(b.burst, b.perMinute * 60, 1));
  }

  /** Takes a token from `key`'s bucket; keys without a budget are not limited. */
  take(key: string, now = Date.now()): RateDecision {
    return this.limiters.get(key)?.take(key, now) ?? { allowed: true };
  }
}

/**
 * The 429 every API route answers when a sender is over its budget: Retry-After and a
 * machine-readable code and reason.
 */
export async function sendRateLimited(
  res: FastifyReply,
  retryAfterSeconds: number,
  reason: string,
  message: string,
): Promise<void> {
  await res
    .status(429)
    .header('retry-after', String(retryAfterSeconds))
    .send({ error: { code: 'rate-limited', reason, retryAfterSeconds, message } });
}
