import { MemoryDedupStore } from '@app/dedup';
import { SharedClaimStore } from './claim-store';

describe('SharedClaimStore', () => {
  it('a claim owns its key for the retention, then the key can be claimed again', async () => {
    let now = Date.UTC(2025, 0, 1);
    const claims = new SharedClaimStore(new MemoryDedupStore(() => now), 30 * 86_400);
    await expect(claims.claim('twilio:SM1', 'raw/0@1')).resolves.toBeNull();
    now += 29 * 86_400_000;
    await expect(claims.claim('twilio:SM1', 'raw/0@9')).resolves.toBe('raw/0@1');
    now += 2 * 86_400_000;
    await expect(claims.claim('twilio:SM1', 'raw/1@3')).resolves.toBeNull();
  });
});
