import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_ENV } from '../../config/tokens';
import type { GatewayEnv } from '../../config/gateway.env';
import { TokenBucketLimiter } from '../../http/rate-limiter';

/**
 * Mailbox submissions per client address: MAILBOX_RATE_BURST at once, refilled at
 * MAILBOX_RATE_PER_HOUR (the shared token bucket, see http/rate-limiter.ts).
 */
@Injectable()
export class SubmissionRateLimiter extends TokenBucketLimiter {
  constructor(
    @Inject(GATEWAY_ENV) env: Pick<GatewayEnv, 'MAILBOX_RATE_BURST' | 'MAILBOX_RATE_PER_HOUR'>,
  ) {
    super(env.MAILBOX_RATE_BURST, env.MAILBOX_RATE_PER_HOUR);
  }
}
