import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDedupStore, dedupHorizonDays } from './dedup-store.factory';
import { DedupEngine } from './dedup.engine';
import { dayInput, GARAGE_FEES, NIGHT_NOISE } from './verdict-cases.fixture';

const input = dayInput;

describe('dedupHorizonDays', () => {
  it('is the longest window, and never under 400 days', () => {
    expect(dedupHorizonDays()).toBe(400);
    expect(dedupHorizonDays({ duplicateWindowDays: 30 })).toBe(400);
    expect(dedupHorizonDays({ duplicateWindowDays: 3650 })).toBe(3650);
    expect(dedupHorizonDays({ repeatWindowDays: 500, clusterWindowDays: 900 })).toBe(900);
  });
});

describe('createDedupStore with a horizon from the windows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dedup-horizon-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a duplicate inside a 600-day window after a restart, behind newer petitions', async () => {
    const options = { duplicateWindowDays: 600 };
    const first = createDedupStore({ lmdbPath: dir, horizonDays: dedupHorizonDays(options) });
    const engine = new DedupEngine(first, options);
    await engine.judge(input('p1', 'id:1', GARAGE_FEES, 0));
    // A newer, unrelated petition: the index rebuilt at open is measured back from it.
    await engine.judge(input('p2', 'id:2', NIGHT_NOISE, 450));
    await first.close();

    const second = createDedupStore({ lmdbPath: dir, horizonDays: dedupHorizonDays(options) });
    try {
      const verdict = await new DedupEngine(second, options).judge(
        input('p3', 'id:1', GARAGE_FEES, 500),
      );
      expect(verdict).toMatchObject({ outcome: 'duplicate', of: 'p1' });
    } finally {
      await second.close();
    }
  });
});
