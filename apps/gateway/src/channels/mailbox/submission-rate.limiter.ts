import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_ENV } from '../../config/tokens';
import type { GatewayEnv } from '../../config/gateway.env';
import type { RateDecision } from '../../http/rate-limiter';
import { GATEWAY_STATE, type GatewayState } from '../../state/gateway-state.port';

/**
 * Mailbox submissions per client address: MAILBOX_RATE_BURST at once, refilled at
 * MAILBOX_RATE_PER_HOUR. The buckets are on the state port, so with replicas the limit holds for
 * the deployment, not once per replica.
 */
@Injectable()
export class SubmissionRateLimiter {
  constructor(
    @Inject(GATEWAY_ENV)
    private readonly env: Pick<GatewayEnv, 'MAILBOX_RATE_BURST' | 'MAILBOX_RATE_PER_HOUR'>,
    @Inject(GATEWAY_STATE) private readonly state: GatewayState,
  ) {}

  take(address: string, now = Date.now()): Promise<RateDecision> {
    return this.state.takeToken(
      `mailbox-submissions:${address}`,
      this.env.MAILBOX_RATE_BURST,
      this.env.MAILBOX_RATE_PER_HOUR,
      now,
    );
  }
}
