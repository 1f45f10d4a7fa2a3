import { SubmissionRateLimiter } from './submission-rate.limiter';

describe('SubmissionRateLimiter', () => {
  const limiter = () =>
    new SubmissionRateLimiter({ MAILBOX_RATE_BURST: 3, MAILBOX_RATE_PER_HOUR: 60 });

  it('allows the burst, then refuses with the wait until the next token', () => {
    const l = limiter();
    const t0 = 1_000_000;
    expect([1, 2, 3].map(() => l.take('a', t0).allowed)).toEqual([true, true, true]);
    expect(l.take('a', t0)).toEqual({ allowed: false, retryAfterSeconds: 60 });
    expect(l.take('a', t0 + 30_000)).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(l.take('a', t0 + 60_000).allowed).toBe(true);
    expect(l.take('a', t0 + 60_000).allowed).toBe(false);
  });

  it('keeps clients apart and never refills beyond the burst', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) l.take('a', 0);
    expect(l.take('b', 0).allowed).toBe(true);
    const later = 10 * 3_600_000;
    expect([1, 2, 3, 4].map(() => l.take('a', later).allowed)).toEqual([true, true, true, false]);
  });
});
