import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbGatewayState } from '../../state/lmdb-gateway-state';
import { SubmissionRateLimiter } from './submission-rate.limiter';

describe('SubmissionRateLimiter', () => {
  let dir: string;
  let state: LmdbGatewayState;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'submission-rate-'));
    state = new LmdbGatewayState(dir);
  });
  afterEach(async () => {
    await state.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const limiter = () =>
    new SubmissionRateLimiter({ MAILBOX_RATE_BURST: 3, MAILBOX_RATE_PER_HOUR: 60 }, state);
  const allowed = async (l: SubmissionRateLimiter, n: number, at: number) => {
    const out: boolean[] = [];
    for (let i = 0; i < n; i++) out.push((await l.take('a', at)).allowed);
    return out;
  };

  it('allows the burst, then refuses with the wait until the next token', async () => {
    const l = limiter();
    const t0 = 1_000_000;
    expect(await allowed(l, 3, t0)).toEqual([true, true, true]);
    expect(await l.take('a', t0)).toEqual({ allowed: false, retryAfterSeconds: 60 });
    expect(await l.take('a', t0 + 30_000)).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(await allowed(l, 2, t0 + 60_000)).toEqual([true, false]);
  });

  it('keeps clients apart and never refills beyond the burst', async () => {
    const l = limiter();
    await allowed(l, 3, 0);
    expect((await l.take('b', 0)).allowed).toBe(true);
    expect(await allowed(l, 4, 10 * 3_600_000)).toEqual([true, true, true, false]);
  });
});
