import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DedupEngine } from './dedup.engine';
import { estimateSimilarity, fingerprint } from './min-hash.fingerprint';
import { LmdbDedupStore } from './lmdb-dedup.store';
import { MemoryDedupStore } from './memory-dedup.store';
import type { DedupStore } from './dedup.types';
import {
  GARAGE_FEES,
  GARAGE_FEES_EDITED,
  GARAGE_FEES_REWORDED,
  NIGHT_NOISE,
  runCase,
  testMatchText,
  VERDICT_CASES,
} from './verdict-cases.fixture';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const stores: [string, () => DedupStore][] = [
  ['memory', () => new MemoryDedupStore()],
  [
    'lmdb',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'dedup-spec-'));
      dirs.push(dir);
      return new LmdbDedupStore({ path: dir, noSync: true });
    },
  ],
];

describe('the fixture texts sit where the table needs them', () => {
  const sim = (a: string, b: string): number =>
    estimateSimilarity(
      fingerprint(testMatchText(a)).signature,
      fingerprint(testMatchText(b)).signature,
    );

  it('edited text is near-identical, reworded text is the same matter only, other matters are far', () => {
    expect(sim(GARAGE_FEES, GARAGE_FEES_EDITED)).toBeGreaterThanOrEqual(0.6);
    expect(sim(GARAGE_FEES, GARAGE_FEES_REWORDED)).toBeGreaterThanOrEqual(0.3);
    expect(sim(GARAGE_FEES, GARAGE_FEES_REWORDED)).toBeLessThan(0.6);
    expect(sim(GARAGE_FEES, NIGHT_NOISE)).toBeLessThan(0.1);
  });
});

describe.each(stores)('DedupEngine on the %s store', (_name, makeStore) => {
  it.each(VERDICT_CASES.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const store = makeStore();
    try {
      const verdicts = await runCase(new DedupEngine(store, c.options), c);
      verdicts.forEach((v, i) =>
        expect({ step: i + 1, ...v }).toMatchObject({ step: i + 1, ...c.steps[i]?.expect }),
      );
    } finally {
      await store.close();
    }
  });

  it('claimKey returns null to the first claimant and the stored value afterwards', async () => {
    const store = makeStore();
    try {
      await expect(store.claimKey('twilio:SM1', 'p1')).resolves.toBeNull();
      await expect(store.claimKey('twilio:SM1', 'p2')).resolves.toBe('p1');
      await expect(store.claimKey('twilio:SM2', 'p3')).resolves.toBeNull();
    } finally {
      await store.close();
    }
  });
});

describe('DedupEngine input checks', () => {
  it.each([
    ['invalid date', { receivedAt: new Date(Number.NaN) }],
    ['empty petitionId', { petitionId: '' }],
  ])('rejects %s as non-retriable', async (_n, patch) => {
    const engine = new DedupEngine(new MemoryDedupStore());
    const input = {
      petitionId: 'p1',
      identityKey: null,
      matchText: 'abc',
      locality: null,
      receivedAt: new Date(0),
    };
    await expect(engine.judge({ ...input, ...patch })).rejects.toMatchObject({ retriable: false });
  });

  it('an empty text is new and starts its own cluster, and never matches another empty text', async () => {
    const engine = new DedupEngine(new MemoryDedupStore());
    const base = { identityKey: 'id:1', matchText: '', locality: null, receivedAt: new Date(0) };
    await expect(engine.judge({ ...base, petitionId: 'e1' })).resolves.toMatchObject({
      outcome: 'new',
      clusterId: 'e1',
    });
    await expect(engine.judge({ ...base, petitionId: 'e2' })).resolves.toMatchObject({
      outcome: 'new',
      clusterId: 'e2',
    });
  });

  it('rejects thresholds in the wrong order', () => {
    expect(
      () =>
        new DedupEngine(new MemoryDedupStore(), { duplicateThreshold: 0.2, matterThreshold: 0.5 }),
    ).toThrow(RangeError);
  });
});
