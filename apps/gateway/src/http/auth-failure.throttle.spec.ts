import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbGatewayState } from '../state/lmdb-gateway-state';
import { AuthFailureThrottle, isAuthenticatedRoute } from './auth-failure.throttle';

describe('AuthFailureThrottle', () => {
  let dir: string;
  let state: LmdbGatewayState;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auth-throttle-'));
    state = new LmdbGatewayState(dir);
  });

  afterEach(async () => {
    await state.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an address after its burst of failures, others untouched, until it refills', async () => {
    const throttle = new AuthFailureThrottle(() => state, 3, 3600); // one token a second
    for (let i = 0; i < 3; i++) {
      expect(await throttle.check('a', 0)).toEqual({ allowed: true });
      await throttle.recordFailure('a', 0);
    }
    expect(await throttle.check('a', 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(await throttle.check('b', 0)).toEqual({ allowed: true });
    expect(await throttle.check('a', 1000)).toEqual({ allowed: true });
  });

  it('only counts failures: checking takes nothing', async () => {
    const throttle = new AuthFailureThrottle(() => state, 1, 1);
    for (let i = 0; i < 100; i++) expect((await throttle.check('a', 0)).allowed).toBe(true);
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
