import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DedupEngine, sortMembers } from './dedup.engine';
import { entityCode, entityKeys, sharedEntities } from './entity-keys';
import { estimateSimilarity, fingerprint } from './min-hash.fingerprint';
import { LmdbDedupStore } from './lmdb-dedup.store';
import { MemoryDedupStore } from './memory-dedup.store';
import type { DedupStore } from './dedup.types';
import { seededRandom } from '../../../test/support/seeded-random';
import {
  CITY_A,
  CITY_B,
  COMPANY_LONG,
  COMPANY_SHORT,
  ESTATE_FUMES,
  ESTATE_NOISE,
  ESTATE_SMELL,
  OTHER_ESTATE,
  runCaseBatched,
  caseEngine,
  CASE_MATTERS,
  ESTATE_LEAK,
  GARAGE_FEES,
  GARAGE_FEES_EDITED,
  GARAGE_FEES_OTHER_ESTATE,
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
    // Same issue by wording alone, were it not for the estates they name.
    expect(sim(GARAGE_FEES, GARAGE_FEES_OTHER_ESTATE)).toBeGreaterThanOrEqual(0.3);
    const names = (raw: string) => entityKeys(testMatchText(raw)).map((k) => k.key);
    expect(names(GARAGE_FEES)).toContain('东湖花园');
    expect(names(GARAGE_FEES_OTHER_ESTATE)).not.toContain('东湖花园');
    expect(names(GARAGE_FEES_OTHER_ESTATE).length).toBeGreaterThan(0);
  });

  it('entity texts share a place but not their wording', () => {
    for (const [a, b] of [
      [ESTATE_FUMES, ESTATE_NOISE],
      [ESTATE_FUMES, ESTATE_SMELL],
      [ESTATE_NOISE, ESTATE_SMELL],
      [ESTATE_FUMES, OTHER_ESTATE],
      [CITY_A, CITY_B],
      [COMPANY_LONG, COMPANY_SHORT],
    ] as const)
      expect(sim(a, b)).toBeLessThan(0.3);
  });
});

describe('entityKeys', () => {
  const keys = (raw: string): string[] =>
    entityKeys(testMatchText(raw)).map((k) => k.key + (k.weak ? '~' : ''));

  it.each([
    [
      'name after a pronoun or verb',
      '我住在锦绣江南小区',
      ['江南小区~', '绣江南小区', '锦绣江南小区'],
    ],
    ['developer prefix', '万科锦绣江南小区', ['江南小区~', '绣江南小区', '锦绣江南小区']],
    ['2-character name after an address marker', 'A市经济学院强制实习', ['经济学院']],
    ['2-character clause end is no name', '我是业主，小区楼下很吵', []],
    ['descriptors stripped', '江北区程明物业管理有限公司欠薪', ['程明公司']],
    ['generic name', '附近小区都在施工', []],
    ['generic after stripping', '市人民医院排队太久', []],
    ['an estate named without 小区', '渝北区金港新城附近新建搅拌站', ['金港新城']],
    ['the same estate with 小区 shares that key', '金港新城小区旁边的搅拌站', ['金港新城']],
    ['a district called 新城区 is no estate', '江北区新城区政府', []],
    [
      'an estate ending in 苑',
      '投诉渝北区锦江滨河苑捆绑销售车位',
      ['滨河苑~', '江滨河苑', '锦江滨河苑'],
    ],
    [
      '配套 is what a kindergarten is, not its name',
      '江北区高心小区配套幼儿园无证办学',
      ['高心小区'],
    ],
    ['配套 stripped from a longer name', '梅岭国际配套幼儿园', ['梅岭国际幼儿园']],
    // Only the particular characters count: 岭国际幼儿园 would be one character of a name.
    ['generic words at the end of a name', 'B市湘江国际实验学校', ['湘江国际实验学校']],
    ['a generic name after a verb', '我们支持普惠性幼儿园', []],
    ['a name starts after a petitioning verb', '投诉同发公司拖欠', ['同发公司']],
    ['a clause before a type word', '噪音影响正常生活小区门口', []],
    ['a type word ends the name before it', '幼儿园民政学院', ['民政学院']],
    [
      'a type word after a 2-character name makes it a name',
      '我们是东湖花园小区的业主',
      ['东湖花园'],
    ],
    ['a kind of university is no name', '理工大学', []],
    ['a list marker is no name', '问题如下一小区门口', []],
    ['a kind of school in two generic words', '县义务教育学校', []],
    ['a kind of organisation is no name', 'A市公交公司拖欠工资，县供水公司停水', []],
    ['a kind of school is no name', 'B县中心小学和A市外国语学校', []],
    ['a petitioning verb before a type word', '投诉小区附近搅拌站，严重影响小区居民', []],
    [
      'the phase of an estate is stripped',
      '锦绣江南二期小区',
      ['江南小区~', '绣江南小区', '锦绣江南小区'],
    ],
    ['a type word is no name of its own', '红星国际公馆小区', ['红星国际公馆']],
    ['areas make no key', '渝北区人民路与新牌坊街道交界', []],
    ['empty', '', []],
  ])('%s', (_n, raw, expected) => {
    expect(keys(raw)).toEqual(expected);
  });

  it('keys are capped and deduplicated', () => {
    const many = Array.from(
      { length: 20 },
      (_, i) =>
        `江北区${'甲乙丙丁戊己庚辛壬癸'[i % 10]}${'子丑寅卯辰巳午未申酉'[Math.floor(i / 2) % 10]}小区`,
    ).join('和');
    const k = entityKeys(testMatchText(many));
    expect(k.length).toBeLessThanOrEqual(8);
    expect(new Set(k.map((x) => x.key)).size).toBe(k.length);
  });

  it('two weak keys are no evidence, a weak key meets a complete 2-character name', () => {
    const code = (raw: string): number[] => entityKeys(testMatchText(raw)).map(entityCode);
    expect(sharedEntities(code(CITY_A), code(CITY_B))).toBe(0);
    expect(sharedEntities(code('市涉外经济学院'), code('市经济学院'))).toBe(1);
    expect(sharedEntities(code(ESTATE_FUMES), code(ESTATE_NOISE))).toBe(2); // not the weak 江南小区
  });
});

describe.each(stores)('DedupEngine on the %s store', (_name, makeStore) => {
  it.each(VERDICT_CASES.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const store = makeStore();
    try {
      const verdicts = await runCase(caseEngine(store, c), c);
      verdicts.forEach((v, i) =>
        expect({ step: i + 1, ...v }).toMatchObject({ step: i + 1, ...c.steps[i]?.expect }),
      );
    } finally {
      await store.close();
    }
  });

  it.each(VERDICT_CASES.map((c) => [c.name, c] as const))(
    'judgeBatch gives the sequential verdicts: %s',
    async (_n, c) => {
      const seqStore = makeStore();
      const batchStore = makeStore();
      try {
        const sequential = await runCase(caseEngine(seqStore, c), c);
        const batched = await runCaseBatched(caseEngine(batchStore, c), c);
        expect(batched).toEqual(sequential);
        // and the state it committed is the same: a follow-up judged alone agrees
        const last = c.steps[c.steps.length - 1];
        if (last) {
          const probe = {
            ...last,
            input: { ...last.input, petitionId: 'probe', day: last.input.day + 0.5 },
          };
          const one = { name: 'probe', steps: [probe] };
          expect(await runCase(caseEngine(batchStore, c), one)).toEqual(
            await runCase(caseEngine(seqStore, c), one),
          );
        }
      } finally {
        await seqStore.close();
        await batchStore.close();
      }
    },
  );

  it('judgeBatch rejects the whole batch on an invalid input and writes nothing', async () => {
    const store = makeStore();
    try {
      const engine = new DedupEngine(store);
      const ok = {
        petitionId: 'b1',
        identityKey: 'id:1',
        matchText: testMatchText(GARAGE_FEES),
        locality: null,
        receivedAt: new Date(0),
      };
      await expect(
        engine.judgeBatch([ok, { ...ok, petitionId: 'b2', receivedAt: new Date(Number.NaN) }]),
      ).rejects.toMatchObject({ retriable: false, index: 1 });
      await expect(engine.judge({ ...ok, petitionId: 'b3' })).resolves.toMatchObject({
        outcome: 'new',
      });
      await expect(engine.judgeBatch([])).resolves.toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a record stored without a matter mask (no lexicon then) still joins by entity', async () => {
    const store = makeStore();
    try {
      const at = (day: number) => new Date(Date.UTC(2024, 2, 1) + day * 86_400_000);
      const input = (petitionId: string, text: string, day: number) => ({
        petitionId,
        identityKey: `id:${petitionId}`,
        matchText: testMatchText(text),
        locality: '渝北区',
        receivedAt: at(day),
      });
      await new DedupEngine(store).judge(input('old', ESTATE_FUMES, 0));
      const withLexicon = new DedupEngine(store, {}, CASE_MATTERS);
      // Unknown mask: the entity decides, as it did when the record was stored.
      await expect(withLexicon.judge(input('leak', ESTATE_LEAK, 1))).resolves.toMatchObject({
        clusterId: 'old',
        clusterSize: 2,
      });
      // Its own mask is kept: a third petition about fumes does not join the leak by the estate.
      const fresh = makeStore();
      try {
        const engine = new DedupEngine(fresh, {}, CASE_MATTERS);
        await engine.judge(input('leak', ESTATE_LEAK, 1));
        await expect(engine.judge(input('fumes', ESTATE_SMELL, 2))).resolves.toMatchObject({
          clusterId: 'fumes',
        });
      } finally {
        await fresh.close();
      }
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

describe('sortMembers', () => {
  it('orders cluster members as the comparator sort did (newest first, then who)', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 2000; round++) {
      // Few distinct times, so ties on `at` are common and `who` decides.
      const members = Array.from({ length: Math.floor(random() * 8) }, (_, i) => ({
        who: `w${Math.floor(random() * 1000)}-${i}`,
        at: Date.UTC(2024, 0, 1 + Math.floor(random() * 4)),
      }));
      const expected = [...members].sort(
        (a, b) => b.at - a.at || (a.who < b.who ? -1 : a.who > b.who ? 1 : 0),
      );
      sortMembers(members);
      expect(members).toEqual(expected);
    }
  });
});
