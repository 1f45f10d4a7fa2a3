import { open, type RootDatabase } from 'lmdb';
import { tempDirs } from '../../../test/support/temp-dirs';
import { DedupEngine } from './dedup.engine';
import { IdLog, LogKeyIndex } from './id-log';
import { LmdbDedupStore } from './lmdb-dedup.store';
import { FINGERPRINT_FORMAT } from './min-hash.fingerprint';
import { encodeCluster, encodeVerdict } from './record.codec';
import type { ClusterState, DedupVerdict } from './dedup.types';
import { GARAGE_FEES, testMatchText } from './verdict-cases.fixture';

const tempDir = tempDirs('dedup-idlog');

describe('LogKeyIndex', () => {
  it('keeps ids apart when every id has the same hash, through growth', () => {
    const ids = Array.from({ length: 700 }, (_, i) => `id-${i}`);
    const idAtKey = new Map<number, string>();
    const index = new LogKeyIndex(
      (key, id) => idAtKey.get(key) === id,
      () => 7,
    );
    ids.forEach((id, i) => {
      idAtKey.set(i + 1, id);
      index.set(id, i + 1);
    });
    // A newer entry of an id replaces its key instead of adding a slot.
    idAtKey.set(1000, 'id-3');
    index.set('id-3', 1000);
    expect(index.size).toBe(700);
    expect(ids.map((id) => index.get(id))).toEqual(
      ids.map((id, i) => (id === 'id-3' ? 1000 : i + 1)),
    );
    expect(index.get('id-700')).toBe(0);
  });
});

describe('IdLog', () => {
  const openLog = (dir: string): { root: RootDatabase; log: IdLog<{ n: number }> } => {
    const root = open({ path: dir, maxDbs: 2 });
    const db = root.openDB<string, number>({
      name: 'log',
      keyEncoding: 'uint32',
      encoding: 'string',
    });
    const log = new IdLog<{ n: number }>(db, JSON.stringify, (t) => JSON.parse(t) as { n: number });
    log.rebuild();
    return { root, log };
  };
  // Ids that could confuse a separator or a length prefix.
  const ids = ['a', '12:x', 'line\nbreak', '3:abc', '', '集体信访'];

  it('reads the newest entry of each id after commit, and again after reopening', async () => {
    const dir = tempDir();
    const first = openLog(dir);
    const indexLater: (() => void)[] = [];
    await first.root.transaction(() => {
      ids.forEach((id, n) => indexLater.push(first.log.append(id, { n })));
    });
    indexLater.forEach((f) => f());
    // Before its commit is indexed, an append is not visible.
    const pending = await first.root.transaction(() => first.log.append('a', { n: 99 }));
    expect(first.log.get('a')).toEqual({ n: 0 });
    pending();
    expect(ids.map((id) => first.log.get(id))).toEqual([
      { n: 99 },
      ...ids.slice(1).map((_, i) => ({ n: i + 1 })),
    ]);
    expect(first.log.get('12:')).toBeNull();
    await first.root.close();

    const second = openLog(dir);
    expect(second.log.ids).toBe(ids.length);
    expect(second.log.get('a')).toEqual({ n: 99 });
    expect(second.log.get('line\nbreak')).toEqual({ n: 2 });
    expect(second.log.get('集体信访')).toEqual({ n: 5 });
    await second.root.close();
  });
});

describe('LmdbDedupStore with verdict and cluster logs', () => {
  const input = (petitionId: string, identityKey: string, day = 0) => ({
    petitionId,
    identityKey,
    matchText: testMatchText(GARAGE_FEES),
    locality: '江北区',
    receivedAt: new Date(Date.UTC(2024, 0, 1 + day)),
  });

  it('a cluster joined several times in one batch is stored at its last size', async () => {
    const dir = tempDir();
    const first = new LmdbDedupStore({ path: dir });
    await new DedupEngine(first).judgeBatch([1, 2, 3].map((n) => input(`p${n}`, `id:${n}`)));
    await first.close();
    const second = new LmdbDedupStore({ path: dir });
    try {
      await expect(new DedupEngine(second).judge(input('p4', 'id:4', 1))).resolves.toMatchObject({
        outcome: 'new',
        clusterId: 'p1',
        clusterSize: 4,
      });
    } finally {
      await second.close();
    }
  });

  it('moves verdicts and clusters from the tables keyed by id of older stores', async () => {
    const dir = tempDir();
    const verdict: DedupVerdict = {
      outcome: 'new',
      of: null,
      similarity: null,
      clusterId: 'old-1',
      clusterSize: 2,
      clusterAlert: false,
    };
    const cluster: ClusterState = {
      clusterId: 'old-1',
      size: 2,
      alerted: false,
      recent: [{ who: 'abc', at: 1 }],
    };
    const old = open({ path: dir, maxDbs: 8 });
    await old
      .openDB<number, string>({ name: 'meta', encoding: 'msgpack' })
      .put('format', FINGERPRINT_FORMAT);
    await old
      .openDB<string, string>({ name: 'verdicts', encoding: 'string' })
      .put('old-2', encodeVerdict(verdict));
    await old
      .openDB<string, string>({ name: 'clusters', encoding: 'string' })
      .put('old-1', encodeCluster(cluster));
    await old.close();

    for (let reopen = 0; reopen < 2; reopen++) {
      const store = new LmdbDedupStore({ path: dir });
      try {
        // A replay of the old petition gets its old verdict back.
        await expect(new DedupEngine(store).judge(input('old-2', 'id:9'))).resolves.toEqual(
          verdict,
        );
        await expect(store.transactSync((tx) => tx.getCluster('old-1'))).resolves.toEqual(cluster);
      } finally {
        await store.close();
      }
    }
    const after = open({ path: dir, maxDbs: 8 });
    for (const name of ['verdicts', 'clusters'])
      expect(after.openDB<string, string>({ name, encoding: 'string' }).getKeysCount()).toBe(0);
    await after.close();
  });
});
