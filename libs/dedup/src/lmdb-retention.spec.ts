import { open } from 'lmdb';
import { tempDirs } from '../../../test/support/temp-dirs';
import { DedupEngine } from './dedup.engine';
import { LmdbDedupStore, type EntryCounts, type LmdbDedupStoreOptions } from './lmdb-dedup.store';
import { MINHASH_SIZE } from './min-hash.fingerprint';
import { dayInput, GARAGE_FEES, NIGHT_NOISE } from './verdict-cases.fixture';

const tempDir = tempDirs('dedup-retention');

const T0 = Date.UTC(2024, 0, 1);
const input = dayInput;

/** Opens the store at `dir`, runs `work`, closes it. */
async function withStore<T>(
  dir: string,
  work: (store: LmdbDedupStore, engine: DedupEngine) => Promise<T>,
  options: Partial<LmdbDedupStoreOptions> = {},
): Promise<T> {
  const store = new LmdbDedupStore({ path: dir, noSync: true, ...options });
  try {
    return await work(store, new DedupEngine(store));
  } finally {
    await store.close();
  }
}

/** A new store of horizon 400 days holding one petition ('old', day 0). */
async function storeWithOnePetition() {
  const dir = tempDir();
  const options = { indexHorizonDays: 400 };
  await withStore(dir, (_, engine) => engine.judge(input('old', 'id:1', GARAGE_FEES, 0)), options);
  return { dir, options };
}

describe('LmdbDedupStore retention at open', () => {
  it('records received before the horizon leave the disk', async () => {
    const dir = tempDir();
    await withStore(dir, async (_, engine) => {
      await engine.judge(input('old', 'id:1', GARAGE_FEES, 0));
      await engine.judge(input('recent', 'id:2', NIGHT_NOISE, 500));
    });
    const pruned = await withStore(dir, (store) => Promise.resolve(store.pruned), {
      indexHorizonDays: 400,
    });
    expect(pruned.records).toBe(1);
    await withStore(dir, (store) => {
      expect(store.petitionCount).toBe(1);
      expect(store.pruned.records).toBe(0);
      return Promise.resolve();
    });
  });

  it('superseded cluster entries leave the disk; the newest state carries on', async () => {
    const dir = tempDir();
    await withStore(dir, async (_, engine) => {
      for (let i = 1; i <= 4; i++) await engine.judge(input(`p${i}`, `id:${i}`, GARAGE_FEES, i));
    });
    await withStore(dir, async (store, engine) => {
      // One cluster written four times (sizes 1 to 4): three superseded entries.
      expect(store.pruned.clusterEntries).toBe(3);
      expect(store.storedEntries()).toMatchObject({ clusterEntries: 1, verdictEntries: 4 });
      await expect(engine.judge(input('p5', 'id:5', GARAGE_FEES, 5))).resolves.toMatchObject({
        clusterId: 'p1',
        clusterSize: 5,
      });
      // A redelivered petition still gets its first verdict.
      await expect(engine.judge(input('p2', 'id:2', GARAGE_FEES, 9))).resolves.toMatchObject({
        clusterSize: 2,
      });
    });
  });

  it('log entries of petitions past the horizon leave once a checkpoint shows them old', async () => {
    const { dir, options } = await storeWithOnePetition();
    // This open records where the logs stood (every record then: day 0).
    await withStore(
      dir,
      (_, engine) => engine.judge(input('recent', 'id:2', NIGHT_NOISE, 500)),
      options,
    );
    await withStore(
      dir,
      (store) => {
        expect(store.pruned).toMatchObject({ records: 1, clusterEntries: 1, verdictEntries: 1 });
        expect(store.storedEntries()).toMatchObject({
          records: 1,
          clusterEntries: 1,
          verdictEntries: 1,
        });
        return Promise.resolve();
      },
      options,
    );
  });

  it("a log's newest entry stays, so its keys are never handed out again", async () => {
    const { dir, options } = await storeWithOnePetition();
    // A checkpoint at this open names the logs' last keys; a record then comes without log entries.
    await withStore(
      dir,
      (store) =>
        store.bulkLoad([
          {
            record: {
              petitionId: 'bulk',
              identity: null,
              locality: null,
              receivedAt: Date.UTC(2024, 0, 1) + 500 * 86_400_000,
              clusterId: 'bulk',
              signature: new Uint16Array(MINHASH_SIZE).fill(7),
            },
          },
        ]),
      options,
    );
    await withStore(
      dir,
      (store) => {
        // Everything the checkpoint covers is past the horizon, but each log keeps its newest.
        expect(store.pruned).toMatchObject({ records: 1, clusterEntries: 0, verdictEntries: 0 });
        expect(store.storedEntries()).toMatchObject({ clusterEntries: 1, verdictEntries: 1 });
        return Promise.resolve();
      },
      options,
    );
  });

  it('a running store takes checkpoints too, so entries go at the next open', async () => {
    const dir = tempDir();
    const options = { indexHorizonDays: 400, checkpointEvery: 2 };
    await withStore(
      dir,
      async (_, engine) => {
        await engine.judge(input('a', 'id:1', GARAGE_FEES, 0));
        await engine.judge(input('b', 'id:2', NIGHT_NOISE, 1)); // seq 2: a checkpoint at day 1
        await engine.judge(input('c', 'id:3', `${NIGHT_NOISE}${GARAGE_FEES}`, 500));
      },
      options,
    );
    await withStore(
      dir,
      (store) => {
        expect(store.pruned).toMatchObject({ records: 2, clusterEntries: 2, verdictEntries: 2 });
        return Promise.resolve();
      },
      options,
    );
  });

  it.each([
    ['stored with the commits', undefined],
    ['missing (an earlier version)', null],
    ['older than a record after it (written without a mark)', { at: T0, seq: 1 }],
  ] as const)('finds the newest receivedAt with its mark %s', async (_name, mark) => {
    const { dir, options } = await storeWithOnePetition();
    await withStore(
      dir,
      (_, engine) => engine.judge(input('recent', 'id:2', NIGHT_NOISE, 500)),
      options,
    );
    if (mark !== undefined) {
      const env = open({ path: dir, compression: false });
      const meta = env.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' });
      await (mark === null ? meta.remove('newest') : meta.put('newest', mark));
      await env.close();
    }
    await withStore(
      dir,
      (store) => {
        // Day 500 is the newest: day 0 is past the 400-day horizon.
        expect(store.pruned.records).toBe(1);
        expect(store.storedEntries().records).toBe(1);
        return Promise.resolve();
      },
      options,
    );
  });

  it('expired claims leave the disk, live ones stay', async () => {
    const dir = tempDir();
    let now = T0;
    const options = { now: () => now };
    await withStore(
      dir,
      async (store) => {
        await store.claimKey('short', 'x', 60);
        await store.claimKey('forever', 'y');
      },
      options,
    );
    now += 61_000;
    await withStore(
      dir,
      async (store) => {
        expect(store.pruned.claims).toBe(1);
        expect(store.storedEntries().claims).toBe(1);
        await expect(store.claimKey('forever', 'z')).resolves.toBe('y');
      },
      options,
    );
  });
});

describe('LmdbDedupStore retention while running', () => {
  const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  /** Distinct texts that match nothing else here. */
  const filler = (i: number): string => `${NIGHT_NOISE.slice(i % 20)}第${i}号楼${i * 7919}`;

  it('sheds petitions past the horizon from memory and disk, a slice between judgements', async () => {
    const dir = tempDir();
    const told: number[] = [];
    const options = {
      indexHorizonDays: 10,
      reindexSlice: 1,
      onReindexed: (deleted: EntryCounts) => told.push(deleted.records),
    };
    await withStore(
      dir,
      async (store, engine) => {
        await engine.judge(input('old', 'id:1', GARAGE_FEES, 0));
        for (let i = 0; i < 6; i++) await engine.judge(input(`f${i}`, `id:f${i}`, filler(i), 1));
        await engine.judge(input('kept', 'id:2', NIGHT_NOISE, 5));
        // 12 days after the oldest: within 1.25 horizons, nothing starts.
        await engine.judge(input('t1', 'id:3', filler(100), 12));
        await store.whenReindexed();
        expect(told).toEqual([]);
        // 13 days: the index holds petitions 1.3 horizons old; a reindex from day 3 starts.
        await engine.judge(input('t2', 'id:4', filler(101), 13));
        await tick();
        await tick();
        // Written between its steps: the new index must hold it too.
        await engine.judge(input('during', 'id:5', filler(102), 13));
        await expect(
          engine.judge(input('kept-again', 'id:2', NIGHT_NOISE, 13)),
        ).resolves.toMatchObject({ outcome: 'duplicate', of: 'kept' });
        await store.whenReindexed();
        expect(told).toEqual([7]);
        expect(store.petitionCount).toBe(4);
        // The old petition is inside the engine's 30-day duplicate window but left the index.
        await expect(
          engine.judge(input('old-again', 'id:1', GARAGE_FEES, 14)),
        ).resolves.toMatchObject({ outcome: 'new', clusterId: 'old-again' });
        await expect(
          engine.judge(input('during-again', 'id:5', filler(102), 14)),
        ).resolves.toMatchObject({ outcome: 'duplicate', of: 'during' });
      },
      options,
    );
  });

  it('log entries and claims past the horizon leave with the records, without a restart', async () => {
    const dir = tempDir();
    let now = T0;
    const told: EntryCounts[] = [];
    const options = {
      indexHorizonDays: 10,
      reindexSlice: 1,
      checkpointEvery: 2,
      now: () => now,
      onReindexed: (deleted: EntryCounts) => told.push(deleted),
    };
    await withStore(
      dir,
      async (store, engine) => {
        await store.claimKey('short', 'x', 60);
        await store.claimKey('forever', 'y');
        await engine.judge(input('old', 'id:1', GARAGE_FEES, 0));
        await engine.judge(input('f0', 'id:f0', filler(0), 1)); // seq 2: a checkpoint at day 1
        await engine.judge(input('t1', 'id:3', filler(100), 12));
        expect(store.storedEntries()).toMatchObject({
          records: 3,
          clusterEntries: 3,
          verdictEntries: 3,
          claims: 2,
        });
        now += 61_000;
        // 13 days after the oldest: a retention from day 3 starts.
        await engine.judge(input('t2', 'id:4', filler(101), 13));
        await store.whenReindexed();
        expect(told).toEqual([{ records: 2, clusterEntries: 2, verdictEntries: 2, claims: 1 }]);
        expect(store.storedEntries()).toMatchObject({
          records: 2,
          clusterEntries: 2,
          verdictEntries: 2,
          claims: 1,
        });
        // What stays reads as before: t1's verdict (it joined f0's cluster, whose newest entry is
        // t1's, after the checkpoint) answers t1's redelivery.
        await expect(engine.judge(input('t1', 'id:3', filler(100), 12))).resolves.toMatchObject({
          outcome: 'new',
          clusterId: 'f0',
          clusterSize: 2,
        });
        await expect(store.claimKey('forever', 'z')).resolves.toBe('y');
      },
      options,
    );
    // The next open finds nothing more past the horizon, only the superseded entry that a rebuild
    // alone finds (t2 joined f0's cluster after t1), and the same state.
    await withStore(
      dir,
      async (store, engine) => {
        expect(store.pruned).toMatchObject({ records: 0, clusterEntries: 1, verdictEntries: 0 });
        await expect(
          engine.judge(input('t2-again', 'id:4', filler(101), 14)),
        ).resolves.toMatchObject({ outcome: 'duplicate', of: 't2' });
      },
      options,
    );
  });

  it('a store closed while a reindex is under way reopens whole', async () => {
    const dir = tempDir();
    const options = { indexHorizonDays: 10, reindexSlice: 1 };
    await withStore(
      dir,
      async (_, engine) => {
        await engine.judge(input('old', 'id:1', GARAGE_FEES, 0));
        for (let i = 0; i < 6; i++) await engine.judge(input(`f${i}`, `id:f${i}`, filler(i), 8));
        await engine.judge(input('t', 'id:3', filler(100), 13));
      },
      options,
    );
    await withStore(
      dir,
      async (store, engine) => {
        expect(store.pruned.records).toBe(1);
        await expect(engine.judge(input('again', 'id:f0', filler(0), 14))).resolves.toMatchObject({
          outcome: 'duplicate',
          of: 'f0',
        });
      },
      options,
    );
  });
});
