import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbGatewayState } from '../state/lmdb-gateway-state';
import { KeyedLimiters } from './rate-limiter';

describe('KeyedLimiters', () => {
  let dir: string;
  let state: LmdbGatewayState;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyed-limiters-'));
    state = new LmdbGatewayState(dir);
  });
  afterEach(async () => {
    await state.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const limiters = () =>
    new KeyedLimiters(
      [
        ['gw-a', { burst: 2, perMinute: 60 }],
        ['gw-b', { burst: 1, perMinute: 1 }],
      ],
      state,
      'test',
    );

  it.each<[string, string, number[], (boolean | number)[]]>([
    ['a burst of 2, then one a second', 'gw-a', [0, 0, 0, 500, 1000], [true, true, 1, 1, true]],
    ['a burst of 1, then one a minute', 'gw-b', [0, 0, 30_000, 60_000], [true, 60, 30, true]],
    ['keys without a budget are not limited', 'other', [0, 0, 0, 0], [true, true, true, true]],
  ])('%s', async (_name, key, times, expected) => {
    const l = limiters();
    const seen: (boolean | number)[] = [];
    for (const t of times) {
      const d = await l.take(key, t);
      seen.push(d.allowed ? true : d.retryAfterSeconds);
    }
    expect(seen).toEqual(expected);
  });

  it('keeps the budgets of different keys apart', async () => {
    const l = limiters();
    await l.take('gw-b', 0);
    expect((await l.take('gw-b', 0)).allowed).toBe(false);
    expect((await l.take('gw-a', 0)).allowed).toBe(true);
  });
});
