import { KeyedLimiters, TokenBucketLimiter } from './rate-limiter';

describe('TokenBucketLimiter', () => {
  it('forgets the longest idle key beyond maxKeys (a full bucket again)', () => {
    const l = new TokenBucketLimiter(1, 1, 2);
    expect(l.take('a', 0).allowed).toBe(true);
    expect(l.take('b', 0).allowed).toBe(true);
    expect(l.take('c', 0).allowed).toBe(true);
    expect(l.take('a', 0).allowed).toBe(true);
    expect(l.take('c', 0).allowed).toBe(false);
  });
});

describe('KeyedLimiters', () => {
  const limiters = () =>
    new KeyedLimiters([
      ['gw-a', { burst: 2, perMinute: 60 }],
      ['gw-b', { burst: 1, perMinute: 1 }],
    ]);

  it.each<[string, string, number[], (boolean | number)[]]>([
    ['a burst of 2, then one a second', 'gw-a', [0, 0, 0, 500, 1000], [true, true, 1, 1, true]],
    ['a burst of 1, then one a minute', 'gw-b', [0, 0, 30_000, 60_000], [true, 60, 30, true]],
    ['keys without a budget are not limited', 'other', [0, 0, 0, 0], [true, true, true, true]],
  ])('%s', (_name, key, times, expected) => {
    const l = limiters();
    expect(
      times.map((t) => {
        const d = l.take(key, t);
        return d.allowed ? true : d.retryAfterSeconds;
      }),
    ).toEqual(expected);
  });

  it('keeps the budgets of different keys apart', () => {
    const l = limiters();
    l.take('gw-b', 0);
    expect(l.take('gw-b', 0).allowed).toBe(false);
    expect(l.take('gw-a', 0).allowed).toBe(true);
  });
});
