import { tempDirs } from '../../../test/support/temp-dirs';
import { DedupEngine } from './dedup.engine';
import { LmdbDedupStore, type LmdbDedupStoreOptions } from './lmdb-dedup.store';
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
