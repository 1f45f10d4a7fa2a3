import type { FastifyReply } from 'fastify';
import type { GatewayState } from '../state/gateway-state.port';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Token buckets with their own budget per key, e.g. one per configured gateway or scraper, on the
 * state port: with replicas, a sender's budget is the deployment's, not one per replica.
 */
export class KeyedLimiters {
  private readonly budgets: Map<string, { burst: number; perMinute: number }>;

  constructor(
    budgets: Iterable<[string, { burst: number; perMinute: number }]>,
    private readonly state: GatewayState,
    private readonly namespace: string,
  ) {
    this.budgets = new Map(budgets);
  }

  /** Takes a token from `key`'s bucket; keys without a budget are not limited. */
  take(key: string, now = Date.now()): Promise<RateDecision> {
    const budget = this.budgets.get(key);
    if (!budget) return Promise.resolve({ allowed: true });
    return this.state.takeToken(
      `${this.namespace}:${key}`,
      budget.burst,
      budget.perMinute * 60,
      now,
    );
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
