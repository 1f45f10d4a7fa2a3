import { open } from 'lmdb';
import { tempDirs } from '../../../test/support/temp-dirs';
import { DedupEngine } from './dedup.engine';
import { seededRandom } from '../../../test/support/seeded-random';
import { LmdbDedupStore } from './lmdb-dedup.store';
import { MemoryDedupStore } from './memory-dedup.store';
import { decodeRecord, encodeRecord } from './record.codec';
import { dayInput, GARAGE_FEES, NIGHT_NOISE } from './verdict-cases.fixture';

const tempDir = tempDirs('dedup-lmdb');

const input = dayInput;

describe('LmdbDedupStore: buckets rebuilt from the records at open', () => {
  it('the rebuilt index has room for the next petitions: judging one grows nothing', async () => {
    const dir = tempDir();
    const first = new LmdbDedupStore({ path: dir });
    await new DedupEngine(first).judgeBatch(
      Array.from({ length: 300 }, (_, i) =>
        input(`f${i}`, `other:${i}`, `${NIGHT_NOISE.slice(i % 20)}第${i}号楼${i * 7919}`),
      ),
    );
    await first.close();
    const second = new LmdbDedupStore({ path: dir });
    try {
      const before = second.indexBytes();
      await new DedupEngine(second).judge(input('n1', 'id:n', GARAGE_FEES, 1));
      expect(second.indexBytes()).toBe(before);
    } finally {
      await second.close();
    }
  });

  it('a reopened store still finds the duplicate, the repeat and the cluster', async () => {
    const dir = tempDir();
    const first = new LmdbDedupStore({ path: dir });
    const engine = new DedupEngine(first);
    // Many unrelated petitions around the one that matters, so buckets hold more than it.
    await engine.judgeBatch(
      Array.from({ length: 300 }, (_, i) =>
        input(`f${i}`, `other:${i}`, `${NIGHT_NOISE.slice(i % 20)}第${i}号楼${i * 7919}`),
      ),
    );
    const original = await engine.judge(input('p1', 'id:1', GARAGE_FEES, 1));
    await first.close();

    const second = new LmdbDedupStore({ path: dir });
    try {
      const again = new DedupEngine(second);
      await expect(again.judge(input('p2', 'id:1', GARAGE_FEES, 2))).resolves.toMatchObject({
        outcome: 'duplicate',
        of: 'p1',
      });
      await expect(again.judge(input('p3', 'id:2', GARAGE_FEES, 3))).resolves.toMatchObject({
        outcome: 'new',
        clusterId: original.clusterId,
        clusterSize: 2,
      });
      expect(second.petitionCount).toBe(302);
    } finally {
      await second.close();
    }
  });

  it("a reopened store still links a letter's identifiers (identity buckets rebuilt from records)", async () => {
    const dir = tempDir();
    const first = new LmdbDedupStore({ path: dir });
    const engine = new DedupEngine(first);
    await engine.judge(input('p1', 'phone:+8613800000001', GARAGE_FEES, 1));
    // Locality and entities before the other identities in the record's bytes: the rebuild must
    // find them past the strings.
    await engine.judge({
      ...input('p2', 'id:500101199001011234', `锦绣江南小区${NIGHT_NOISE}`, 2),
      otherIdentityKeys: ['phone:+8613800000001', 'email:someone@example.cn'],
    });
    await first.close();

    const second = new LmdbDedupStore({ path: dir });
    try {
      const again = new DedupEngine(second);
      await expect(
        again.judge(input('p3', 'email:someone@example.cn', GARAGE_FEES, 3)),
      ).resolves.toMatchObject({ outcome: 'duplicate', of: 'p1' });
    } finally {
      await second.close();
    }
  });

  it('a record older than the index horizon is not indexed after reopening', async () => {
    const dir = tempDir();
    const first = new LmdbDedupStore({ path: dir, noSync: true });
    await new DedupEngine(first).judge(input('old', 'id:1', GARAGE_FEES, 0));
    await new DedupEngine(first).judge(input('recent', 'id:2', NIGHT_NOISE, 500));
    await first.close();
    const second = new LmdbDedupStore({ path: dir, noSync: true, indexHorizonDays: 400 });
    try {
      // Inside every window of the old one had it been indexed: a duplicate. Not indexed: new.
      await expect(
        new DedupEngine(second, { duplicateWindowDays: 1000 }).judge(
          input('p', 'id:1', GARAGE_FEES, 10),
        ),
      ).resolves.toMatchObject({ outcome: 'new' });
    } finally {
      await second.close();
    }
  });
});

describe('LmdbDedupStore refuses state of another fingerprint format', () => {
  it('a store written before formats were recorded is refused with a clear error', async () => {
    const dir = tempDir();
    // What the previous version left: a sequence counter and no format.
    const env = open({ path: dir, maxDbs: 8 });
    const meta = env.openDB<number, string>({ name: 'meta', encoding: 'msgpack' });
    await meta.put('seq', 42);
    await env.close();
    expect(() => new LmdbDedupStore({ path: dir })).toThrow(/fingerprint format/);
  });

  it('a store of another format is refused; an empty one is claimed', async () => {
    const dir = tempDir();
    const env = open({ path: dir, maxDbs: 8 });
    const meta = env.openDB<number, string>({ name: 'meta', encoding: 'msgpack' });
    await meta.put('format', 1);
    await env.close();
    expect(() => new LmdbDedupStore({ path: dir })).toThrow(/fingerprint format 1/);
    const fresh = new LmdbDedupStore({ path: tempDir() });
    await fresh.close();
  });

  it('a record of the 64-permutation era is refused, not misread', () => {
    const bytes = encodeRecord({
      seq: 1,
      petitionId: 'p',
      identity: null,
      locality: null,
      receivedAt: 0,
      clusterId: 'p',
      signature: new Uint16Array(64),
    });
    bytes[0] = 2;
    expect(() => decodeRecord(bytes)).toThrow(/old 64-permutation MinHash/);
  });
});

describe('LmdbDedupStore: one synchronous batch', () => {
  it('gives the verdicts of one judgement at a time on the memory store (reused bucket lists)', async () => {
    // Texts from a few hundred shared phrases: buckets of every length, many candidates, and
    // repeats, duplicates and clusters within the batch.
    const random = seededRandom(0x5eed);
    const phrases = Array.from({ length: 300 }, (_, i) =>
      Array.from({ length: 4 + (i % 5) }, () =>
        String.fromCharCode(0x4e00 + Math.floor(random() * 400)),
      ).join(''),
    );
    const texts: string[] = [];
    const inputs = Array.from({ length: 600 }, (_, n) => {
      const words = Array.from(
        { length: 2 + Math.floor(random() * 12) },
        () => phrases[Math.floor(random() * (n % 4 === 0 ? 20 : phrases.length))] ?? '',
      );
      // Every 7th petition resends an earlier one of the same sender, one phrase longer.
      const earlier = n % 7 === 6 ? n - 1 - Math.floor(random() * 5) : -1;
      const text = earlier >= 0 ? `${texts[earlier] ?? ''}${words[0] ?? ''}` : words.join('');
      texts.push(text);
      const who = earlier >= 0 ? earlier % 80 : n % 80;
      return input(`P${n}`, `who-${who}`, text, n / 50);
    });
    const expected = [];
    const one = new DedupEngine(new MemoryDedupStore());
    for (const i of inputs) expected.push(await one.judge(i));
    const store = new LmdbDedupStore({ path: tempDir(), noSync: true });
    const batched = new DedupEngine(store);
    const got = [
      ...(await batched.judgeBatch(inputs.slice(0, 450))),
      ...(await batched.judgeBatch(inputs.slice(450))),
    ];
    await store.close();
    expect(got).toEqual(expected);
    const outcomes = new Set(got.map((v) => v.outcome));
    expect([...outcomes].sort()).toEqual(['duplicate', 'new', 'repeat']);
    expect(got.some((v) => v.clusterSize > 2)).toBe(true);
  });
});
