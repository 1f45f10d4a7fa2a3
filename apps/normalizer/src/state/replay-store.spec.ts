import { open } from 'lmdb';
import { tempDirs } from '../../../../test/support/temp-dirs';
import { ReplayStore, type ReplayStoreOptions } from './replay-store';

const DAY = 86_400_000;
const tempDir = tempDirs('replay-store');

async function withStore<T>(
  dir: string,
  options: ReplayStoreOptions,
  work: (store: ReplayStore) => Promise<T>,
): Promise<T> {
  const store = new ReplayStore(dir, options);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

describe('ReplayStore', () => {
  it('the first position to claim a key owns it', async () => {
    await withStore(tempDir(), { retentionDays: 30 }, async (store) => {
      await store.claimAll(new Map([['twilio:SM1', 'raw/0@5']]));
      await store.claimAll(new Map([['twilio:SM1', 'raw/1@9']]));
      expect(store.owner('twilio:SM1')).toBe('raw/0@5');
      expect(store.owner('twilio:SM2')).toBeNull();
    });
  });

  it('claims past the retention are deleted at open; younger ones stay owned', async () => {
    const dir = tempDir();
    let now = Date.UTC(2025, 0, 1);
    const options = { retentionDays: 30, now: () => now };
    await withStore(dir, options, async (store) => {
      await store.claimAll(new Map([['old', 'raw/0@1']]));
      now += 20 * DAY;
      await store.claimAll(new Map([['young', 'raw/0@2']]));
    });
    now += 15 * DAY; // old: 35 days, young: 15 days
    await withStore(dir, options, async (store) => {
      expect(store.pruned).toEqual({ expired: 1, dated: 0 });
      expect(store.size()).toBe(1);
      expect(store.owner('old')).toBeNull();
      expect(store.owner('young')).toBe('raw/0@2');
      return Promise.resolve();
    });
  });

  it('claims past the retention are deleted while running too', async () => {
    let now = Date.UTC(2025, 0, 1);
    await withStore(tempDir(), { retentionDays: 30, now: () => now }, async (store) => {
      await store.claimAll(new Map([['old', 'raw/0@1']]));
      now += 20 * DAY;
      await store.claimAll(new Map([['young', 'raw/0@2']]));
      expect(store.pruneExpired()).toBe(0);
      now += 15 * DAY;
      expect(store.pruneExpired()).toBe(1);
      expect(store.size()).toBe(1);
      expect(store.owner('old')).toBeNull();
      expect(store.owner('young')).toBe('raw/0@2');
    });
  });

  it('claims of the previous version (a bare position) are kept, dated, and expire a retention later', async () => {
    const dir = tempDir();
    const env = open({ path: dir, compression: false });
    await env.openDB<string, string>({ name: 'replay-claims' }).put('legacy', 'raw/3@7');
    await env.close();
    let now = Date.UTC(2025, 0, 1);
    const options = { retentionDays: 30, now: () => now };
    await withStore(dir, options, (store) => {
      expect(store.pruned).toEqual({ expired: 0, dated: 1 });
      expect(store.owner('legacy')).toBe('raw/3@7');
      return Promise.resolve();
    });
    now += 31 * DAY;
    await withStore(dir, options, (store) => {
      expect(store.pruned).toEqual({ expired: 1, dated: 0 });
      expect(store.owner('legacy')).toBeNull();
      return Promise.resolve();
    });
  });
});
