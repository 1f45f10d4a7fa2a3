import type { GatewayState } from '../state/gateway-state.port';
import type { RateDecision } from './rate-limiter';

/**
 * Failed authentications per client address, across every authenticated route (board keys, SMS
 * gateway HMAC, Twilio signatures): 3,000 wrong board keys at ~960/s all got 401 and never 429.
 * Each 401/403 takes a token; an address with none left is refused (429) on every authenticated
 * route until its bucket refills, its right guesses included, so guessing stays slow. The buckets
 * live on the state port, so with replicas the budget is the deployment's, not each replica's.
 */
export class AuthFailureThrottle {
  constructor(
    private readonly state: () => GatewayState,
    private readonly burst: number,
    private readonly perHour: number,
  ) {}

  check(address: string, now = Date.now()): Promise<RateDecision> {
    return this.state().peekToken(bucketKey(address), this.burst, this.perHour, now);
  }

  async recordFailure(address: string, now = Date.now()): Promise<void> {
    await this.state().takeToken(bucketKey(address), this.burst, this.perHour, now);
  }
}

function bucketKey(address: string): string {
  return `auth-failures:${address}`;
}

/** Routes whose senders authenticate (the mailbox and its page are public, limited elsewhere). */
export function isAuthenticatedRoute(path: string): boolean {
  return path.startsWith('/channels/') && !path.startsWith('/channels/mailbox');
}
