import { AuthFailureThrottle, isAuthenticatedRoute } from './auth-failure.throttle';

describe('AuthFailureThrottle', () => {
  it('refuses an address after its burst of failures, others untouched, until it refills', () => {
    const throttle = new AuthFailureThrottle(3, 3600); // one token a second
    for (let i = 0; i < 3; i++) {
      expect(throttle.check('a', 0)).toEqual({ allowed: true });
      throttle.recordFailure('a', 0);
    }
    expect(throttle.check('a', 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(throttle.check('b', 0)).toEqual({ allowed: true });
    expect(throttle.check('a', 1000)).toEqual({ allowed: true });
  });

  it('only counts failures: checking takes nothing', () => {
    const throttle = new AuthFailureThrottle(1, 1);
    for (let i = 0; i < 100; i++) expect(throttle.check('a', 0).allowed).toBe(true);
  });

  it.each([
    ['/channels/board/posts', true],
    ['/channels/sms/gateway', true],
    ['/channels/sms/twilio?x=1', true],
    ['/channels/mailbox', false],
    ['/mailbox/zhongxian-county-head', false],
    ['/health', false],
  ])('%s authenticated: %s', (path, expected) => {
    expect(isAuthenticatedRoute(path)).toBe(expected);
  });
});
