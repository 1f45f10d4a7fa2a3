import { TokenBucketLimiter, type RateDecision } from './rate-limiter';

/**
 * Failed authentications per client address, across every authenticated route (board keys, SMS
 * gateway HMAC, Twilio signatures): 3,000 wrong board keys at ~960/s all got 401 and never 429.
 * Each 401/403 takes a token; an address with none left is refused (429) on every authenticated
 * route until its bucket refills, its right guesses included, so guessing stays slow. In memory
 * and per instance (shared state is issue 25's).
 */
export class AuthFailureThrottle {
  private readonly failures: TokenBucketLimiter;

  constructor(burst: number, perHour: number) {
    this.failures = new TokenBucketLimiter(burst, perHour);
  }

  check(address: string, now = Date.now()): RateDecision {
    return this.failures.peek(address, now);
  }

  recordFailure(address: string, now = Date.now()): void {
    this.failures.take(address, now);
  }
}

/** Routes whose senders authenticate (the mailbox and its page are public, limited elsewhere). */
export function isAuthenticatedRoute(path: string): boolean {
  return path.startsWith('/channels/') && !path.startsWith('/channels/mailbox');
}
