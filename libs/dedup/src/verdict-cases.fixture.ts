import { Converter } from 'opencc-js';
import type { DedupEngine } from './dedup.engine';
import type { DedupInput, DedupOptions, DedupVerdict } from './dedup.types';

/**
 * The verdict table shared by the unit specs (memory, LMDB) and the integration spec (Redis): the
 * same sequences must give the same verdicts on every store. Texts are written for these tests.
 */
const toTraditional = Converter({ from: 'cn', to: 'tw' });
const toSimplified = Converter({ from: 'tw', to: 'cn' });

/** Stand-in for @app/text's matchText: Simplified, NFKC, lower-case, letters and digits only. */
export function testMatchText(raw: string): string {
  return toSimplified(raw.normalize('NFKC'))
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '')
    .replace(/^(尊敬的)?(各位)?(领导|书记|县长|市长|局长)?(你好|您好)?/u, '');
}

export const GARAGE_FEES =
  '我们是东湖花园小区的业主，小区物业公司从今年三月起擅自把地下车库停车费从每月一百五十元涨到三百元，' +
  '没有召开业主大会，也没有公示任何收费依据。业主多次找物业和社区反映都没有结果。' +
  '请有关部门调查物业违规涨价的问题，责令其退还多收的费用，并公开车库产权归属。';

/** A few characters inserted, deleted and replaced. */
export const GARAGE_FEES_EDITED =
  '我们是东湖花园小区业主，小区物业公司从今年三月份起擅自把地下车库停车费从每月一百五十元涨到三百元，' +
  '没有召开业主大会，也没有公示任何收费依据。业主多次找物业和街道反映都没有结果。' +
  '请有关部门调查物业违规涨价问题，责令其退还多收的费用，并公开车库产权归属！';

/** Same matter, new wording around a shared core (what a second letter from the same person looks like). */
export const GARAGE_FEES_REWORDED =
  '再次反映东湖花园小区的问题。物业公司从今年三月起擅自把地下车库停车费从每月一百五十元涨到三百元，' +
  '没有召开业主大会，也没有公示任何收费依据。上次反映后至今没有答复，物业还威胁不交钱就不让车辆进出，' +
  '希望领导督促尽快处理。';

export const NIGHT_NOISE =
  '学府路中学旁边的工地每天晚上十一点以后还在打桩施工，噪音非常大，附近居民和学生根本无法休息，' +
  '打过环保热线也没人来管，请求城管和环保部门依法查处夜间违规施工。';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 2, 1, 8, 0, 0);

export interface CaseStep {
  input: Omit<DedupInput, 'receivedAt' | 'matchText'> & { text: string; day: number };
  expect: Partial<DedupVerdict>;
}

export interface VerdictCase {
  name: string;
  options?: Partial<DedupOptions>;
  steps: CaseStep[];
}

const step = (
  petitionId: string,
  identityKey: string | null,
  text: string,
  locality: string | null,
  day: number,
  expect: Partial<DedupVerdict>,
): CaseStep => ({ input: { petitionId, identityKey, text, locality, day }, expect });

export const VERDICT_CASES: VerdictCase[] = [
  {
    name: 'exact same text on another channel → duplicate of the first',
    steps: [
      step('p1', 'tel:+8613800000001', GARAGE_FEES, '江北区', 0, {
        outcome: 'new',
        clusterId: 'p1',
        clusterSize: 1,
      }),
      step('p2', 'tel:+8613800000001', GARAGE_FEES, '江北区', 0.01, {
        outcome: 'duplicate',
        of: 'p1',
        clusterId: 'p1',
        clusterSize: 1,
      }),
      step('p3', 'tel:+8613800000001', GARAGE_FEES, null, 0.02, {
        outcome: 'duplicate',
        of: 'p1',
        clusterSize: 1,
      }),
    ],
  },
  {
    name: 'small edits → duplicate',
    steps: [
      step('p1', 'id:1', GARAGE_FEES, '江北区', 0, { outcome: 'new' }),
      step('p2', 'id:1', GARAGE_FEES_EDITED, '江北区', 2, { outcome: 'duplicate', of: 'p1' }),
    ],
  },
  {
    name: 'Traditional variant with full-width punctuation and a greeting → duplicate',
    steps: [
      step('p1', 'id:1', GARAGE_FEES, '江北区', 0, { outcome: 'new' }),
      step('p2', 'id:1', `尊敬的领导，您好！${toTraditional(GARAGE_FEES)}`, '江北区', 1, {
        outcome: 'duplicate',
        of: 'p1',
      }),
    ],
  },
  {
    name: 'same person, same matter, different wording → repeat of the earlier petition',
    steps: [
      step('p1', 'id:1', GARAGE_FEES, '江北区', 0, { outcome: 'new', clusterId: 'p1' }),
      step('p2', 'id:1', GARAGE_FEES_REWORDED, '江北区', 10, {
        outcome: 'repeat',
        of: 'p1',
        clusterId: 'p1',
        clusterSize: 2,
      }),
    ],
  },
  {
    name: 'same person, different matter → new',
    steps: [
      step('p1', 'id:1', GARAGE_FEES, '江北区', 0, { outcome: 'new' }),
      step('p2', 'id:1', NIGHT_NOISE, '江北区', 1, {
        outcome: 'new',
        of: null,
        clusterId: 'p2',
        clusterSize: 1,
      }),
    ],
  },
  {
    name: 'different people, same matter, same locality → one cluster; duplicates do not grow it',
    steps: [
      step('p1', 'id:1', GARAGE_FEES, '江北区', 0, {
        outcome: 'new',
        clusterId: 'p1',
        clusterSize: 1,
      }),
      step('p2', 'id:2', GARAGE_FEES_EDITED, '江北区', 1, {
        outcome: 'new',
        of: null,
        clusterId: 'p1',
        clusterSize: 2,
      }),
      step('p3', 'id:2', GARAGE_FEES_EDITED, '江北区', 1.5, {
        outcome: 'duplicate',
        of: 'p2',
        clusterId: 'p1',
        clusterSize: 2,
      }),
      step('p4', null, GARAGE_FEES_REWORDED, '江北区', 2, {
        outcome: 'new',
        clusterId: 'p1',
        clusterSize: 3,
      }),
    ],
  },
  {
    name: 'different locality → different cluster',
    steps: [
      step('p1', 'id:1', GARAGE_FEES, '江北区', 0, { outcome: 'new', clusterId: 'p1' }),
      step('p2', 'id:2', GARAGE_FEES, '渝北区', 1, {
        outcome: 'new',
        clusterId: 'p2',
        clusterSize: 1,
      }),
    ],
  },
  {
    name: 'unknown sender is never a duplicate of anyone, but joins the matter',
    steps: [
      step('p1', null, GARAGE_FEES, '江北区', 0, { outcome: 'new' }),
      step('p2', null, GARAGE_FEES, '江北区', 1, {
        outcome: 'new',
        clusterId: 'p1',
        clusterSize: 2,
      }),
    ],
  },
  {
    name: 'outside every window → new',
    options: { duplicateWindowDays: 30, repeatWindowDays: 30, clusterWindowDays: 30 },
    steps: [
      step('p1', 'id:1', GARAGE_FEES, '江北区', 0, { outcome: 'new' }),
      step('p2', 'id:1', GARAGE_FEES, '江北区', 31, {
        outcome: 'new',
        of: null,
        clusterId: 'p2',
        clusterSize: 1,
      }),
      step('p3', 'id:2', GARAGE_FEES, '江北区', 62, { outcome: 'new', clusterId: 'p3' }),
    ],
  },
  {
    name: 'past the duplicate window but inside the repeat window → repeat',
    options: { duplicateWindowDays: 30, repeatWindowDays: 180 },
    steps: [
      step('p1', 'id:1', GARAGE_FEES, '江北区', 0, { outcome: 'new' }),
      step('p2', 'id:1', GARAGE_FEES, '江北区', 40, { outcome: 'repeat', of: 'p1' }),
    ],
  },
  {
    name: 'alert fires once, when the third distinct person joins within the alert window',
    options: { alertSize: 3, alertWindowDays: 7 },
    steps: [
      step('p1', 'id:1', GARAGE_FEES, '江北区', 0, { clusterSize: 1, clusterAlert: false }),
      step('p2', 'id:1', GARAGE_FEES_REWORDED, '江北区', 1, {
        outcome: 'repeat',
        clusterSize: 2,
        clusterAlert: false,
      }),
      step('p3', 'id:2', GARAGE_FEES_EDITED, '江北区', 2, { clusterSize: 3, clusterAlert: false }),
      step('p4', 'id:3', GARAGE_FEES, '江北区', 3, {
        clusterId: 'p1',
        clusterSize: 4,
        clusterAlert: true,
      }),
      step('p5', 'id:4', GARAGE_FEES_EDITED, '江北区', 4, { clusterSize: 5, clusterAlert: false }),
    ],
  },
  {
    name: 'people spread beyond the alert window do not raise it',
    options: { alertSize: 3, alertWindowDays: 7 },
    steps: [
      step('p1', 'id:1', GARAGE_FEES, '江北区', 0, { clusterAlert: false }),
      step('p2', 'id:2', GARAGE_FEES, '江北区', 10, { clusterId: 'p1', clusterAlert: false }),
      step('p3', 'id:3', GARAGE_FEES, '江北区', 20, {
        clusterId: 'p1',
        clusterSize: 3,
        clusterAlert: false,
      }),
    ],
  },
  {
    name: 'the same petition judged again (redelivery) gets its first verdict and changes nothing',
    steps: [
      step('p1', 'id:1', GARAGE_FEES, '江北区', 0, { outcome: 'new', clusterSize: 1 }),
      step('p2', 'id:2', GARAGE_FEES, '江北区', 1, {
        outcome: 'new',
        clusterId: 'p1',
        clusterSize: 2,
      }),
      step('p2', 'id:2', GARAGE_FEES, '江北区', 1, {
        outcome: 'new',
        clusterId: 'p1',
        clusterSize: 2,
      }),
      step('p3', 'id:3', GARAGE_FEES, '江北区', 2, { clusterId: 'p1', clusterSize: 3 }),
    ],
  },
];

export function toInput(s: CaseStep): DedupInput {
  return {
    petitionId: s.input.petitionId,
    identityKey: s.input.identityKey,
    locality: s.input.locality,
    matchText: testMatchText(s.input.text),
    receivedAt: new Date(T0 + s.input.day * DAY),
  };
}

/** Runs one case and returns the verdicts, for the caller's assertions (and cross-store comparison). */
export async function runCase(engine: DedupEngine, c: VerdictCase): Promise<DedupVerdict[]> {
  const out: DedupVerdict[] = [];
  for (const s of c.steps) out.push(await engine.judge(toInput(s)));
  return out;
}
