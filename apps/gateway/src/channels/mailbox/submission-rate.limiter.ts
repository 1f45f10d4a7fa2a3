import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_ENV } from '../../config/tokens';
import type { GatewayEnv } from '../../config/gateway.env';

interface Bucket {
  tokens: number;
  at: number;
}

/** At most this many client addresses are tracked; the fullest buckets are forgotten first. */
const MAX_CLIENTS = 100_000;

/**
 * A token bucket per client address for mailbox submissions: MAILBOX_RATE_BURST at once, refilled
 * at MAILBOX_RATE_PER_HOUR. In memory and per instance: it blunts floods from one address; a
 * deployment with several instances shares the budget only as far as its load balancer pins
 * clients. The clock is passed in so tables can drive it.
 */
@Injectable()
export class SubmissionRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;
  private readonly perMs: number;

  constructor(
    @Inject(GATEWAY_ENV) env: Pick<GatewayEnv, 'MAILBOX_RATE_BURST' | 'MAILBOX_RATE_PER_HOUR'>,
  ) {
    this.capacity = env.MAILBOX_RATE_BURST;
    this.perMs = env.MAILBOX_RATE_PER_HOUR / 3_600_000;
  }

  /** Takes one token; when none is left, says how many seconds until one is. */
  take(
    client: string,
    now = Date.now(),
  ): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const b = this.buckets.get(client) ?? { tokens: this.capacity, at: now };
    const tokens = Math.min(this.capacity, b.tokens + (now - b.at) * this.perMs);
    if (tokens < 1) {
      this.buckets.set(client, { tokens, at: now });
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000)),
      };
    }
    this.buckets.delete(client);
    this.buckets.set(client, { tokens: tokens - 1, at: now });
    if (this.buckets.size > MAX_CLIENTS) {
      // Map order is insertion order: the oldest entries are the longest idle, likely refilled.
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    return { allowed: true };
  }
}
