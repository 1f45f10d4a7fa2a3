import { Converter } from 'opencc-js';
import { parseMatterLexicon } from '@app/routing';
import { DedupEngine } from './dedup.engine';
import type {
  DedupInput,
  DedupOptions,
  DedupStore,
  DedupVerdict,
  MatterTagger,
} from './dedup.types';

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

/**
 * A long letter (471 characters), and the same letter resent with a word changed in most sentences
 * (15 small edits): its 3-grams differ by far more than duplicateMaxChangedShingles, its Jaccard
 * (≈ 0.80) is under the old sure threshold of 0.85.
 */
export const ROADWORKS_LETTER =
  '我们是南岸区滨江路铜元局片区的居民，向领导反映一个拖了两年多的问题。' +
  '二零二二年五月，滨江路下穿道工程开工，施工单位在我们小区北门外围起了挡板，说是半年就能完工。' +
  '可是到现在工地还是老样子，挡板把人行道全部占掉，老人和小孩只能在机动车道上走，已经发生过两次擦碰事故。' +
  '工地晚上经常施工到凌晨，渣土车进进出出，灰尘很大，家里的窗台每天都能擦出一层黑灰。' +
  '下雨天工地的泥水直接流到小区门口，排水沟被堵住，车库入口积水有半尺深，好几辆车泡了水。' +
  '我们多次打电话给施工单位，对方只说是上面的安排，让我们去找建设单位。' +
  '找到建设单位，又说工期延误是因为管线迁改没有完成，要等供电和燃气部门配合。' +
  '街道和社区也来看过几次，拍了照片，说会向上反映，但是一直没有下文。' +
  '我们不是反对修路，修好了大家都方便，但是一个说好半年的工程拖成两年多，没有人出来说明原因，也没有新的完工时间。' +
  '请求有关部门督促建设单位公开工程进度和完工时间，先把人行道恢复通行，夜间施工按规定办理手续并控制噪音，' +
  '渣土车出场前冲洗干净，疏通小区门口的排水沟，对泡水车辆的损失给个说法。谢谢领导百忙之中关注。';
const ROADWORKS_EDITS: [string, string][] = [
  ['向领导反映', '向各位领导反映'],
  ['开工', '动工'],
  ['说是半年', '当时说半年'],
  ['已经发生过两次', '已经有过两次'],
  ['经常施工到凌晨', '经常干到凌晨'],
  ['灰尘很大', '扬尘很大'],
  ['黑灰', '灰'],
  ['好几辆车', '好多车'],
  ['对方只说', '他们只说'],
  ['又说', '他们又说'],
  ['燃气部门', '燃气公司'],
  ['拍了照片', '拍了很多照片'],
  ['大家都方便', '大家出行都方便'],
  ['没有人出来', '始终没有人出来'],
  ['先把人行道', '尽快把人行道'],
];
export const ROADWORKS_LETTER_EDITED = ROADWORKS_EDITS.reduce(
  (text, [from, to]) => text.replace(from, to),
  ROADWORKS_LETTER,
);

/** Same matter, new wording around a shared core (what a second letter from the same person looks like). */
export const GARAGE_FEES_REWORDED =
  '再次反映东湖花园小区的问题。物业公司从今年三月起擅自把地下车库停车费从每月一百五十元涨到三百元，' +
  '没有召开业主大会，也没有公示任何收费依据。上次反映后至今没有答复，物业还威胁不交钱就不让车辆进出，' +
  '希望领导督促尽快处理。';

/** The same complaint, word for word, about another estate (a template many estates' owners use). */
export const GARAGE_FEES_OTHER_ESTATE = GARAGE_FEES.replace('东湖花园小区', '枫林雅苑小区');

export const NIGHT_NOISE =
  '学府路中学旁边的工地每天晚上十一点以后还在打桩施工，噪音非常大，附近居民和学生根本无法休息，' +
  '打过环保热线也没人来管，请求城管和环保部门依法查处夜间违规施工。';

/**
 * Entity-key texts: different people, different wording, one estate (锦绣江南小区) or one company
 * (程明物业管理有限公司 / 程明公司). Their whole-text similarity is far below matterThreshold.
 */
export const ESTATE_FUMES =
  '我住在锦绣江南小区，楼下新开的火锅店每天中午和晚上直排油烟，熏得我们家一年四季不敢开窗，请环保部门来查一查。';
export const ESTATE_NOISE =
  '渝北区锦绣江南小区门口那几家烧烤摊半夜两点还在营业，喝酒划拳吵得孩子睡不着觉，希望城管上门管一管。';
export const ESTATE_SMELL =
  '万科锦绣江南小区临街商铺开了好几家饭馆，厨房没有专用烟道，整栋楼都是油烟味，业主投诉多次没有下文。';
/** Another estate, with the same kind of complaint. */
export const OTHER_ESTATE =
  '我家在金色港湾小区，一楼的面馆凌晨四点就开始熬汤，鼓风机声音很大，油烟顺着窗户飘进卧室。';
/** Two estates whose names end alike: only the weak key 之城小区 is shared. */
export const CITY_A = '碧桂园之城小区地下车库长期积水，电梯也经常停运，物业一直推脱不修。';
export const CITY_B = '金地之城小区东门外的垃圾站夏天臭气熏天，蚊蝇成群，请环卫部门尽快搬走。';
export const COMPANY_LONG =
  '江北区程明物业管理有限公司拖欠我们保安三个月工资，找经理就说公司没钱，请劳动监察帮忙讨薪。';
export const COMPANY_SHORT =
  '江北区程明公司在小区里私自占用消防通道停车收费，业主出入很不方便，请相关部门依法处理。';
/** The estate of ESTATE_FUMES, another matter (a leaking wall). */
export const ESTATE_LEAK =
  '锦绣江南小区七栋外墙渗水好几年了，一下雨卧室墙面就发霉，开发商一直推着不修，请住建部门督促处理。';
/** The estate of ESTATE_FUMES, no matter named at all. */
export const ESTATE_NO_MATTER =
  '锦绣江南小区的业主想问一下，上个月反映的事情到底归哪个部门管，为什么一直没有人回复？';

/** A small matter lexicon in the shape of config/matters.yaml, for the cases that use one. */
export const CASE_MATTERS: MatterTagger = parseMatterLexicon(
  {
    groups: {
      fumes: ['油烟', '烟味'],
      noise: ['吵', '噪音'],
      leaks: ['渗水', '漏水'],
      wages: ['工资', '讨薪'],
      parking: ['停车'],
    },
  },
  'verdict-cases',
);

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 2, 1, 8, 0, 0);

/** A judgement input `day` days after 2024-01-01 in 江北区, for the store specs. */
export function dayInput(
  petitionId: string,
  identityKey: string,
  text: string,
  day = 0,
): DedupInput {
  return {
    petitionId,
    identityKey,
    matchText: testMatchText(text),
    locality: '江北区',
    receivedAt: new Date(Date.UTC(2024, 0, 1) + day * DAY),
  };
}

export interface CaseStep {
  input: Omit<DedupInput, 'receivedAt' | 'matchText'> & { text: string; day: number };
  expect: Partial<DedupVerdict>;
}

export interface VerdictCase {
  name: string;
  options?: Partial<DedupOptions>;
  /** A matter lexicon for the engine (entity-key joins need a common matter). */
  matters?: MatterTagger;
  steps: CaseStep[];
}

/** The engine a case runs on, over `store`. */
export function caseEngine(store: DedupStore, c: VerdictCase): DedupEngine {
  return new DedupEngine(store, c.options, c.matters ?? null);
}

const step = (
  petitionId: string,
  identityKey: string | null,
  text: string,
  locality: string | null,
  day: number,
  expect: Partial<DedupVerdict>,
): CaseStep => ({ input: { petitionId, identityKey, text, locality, day }, expect });

/** A step whose sender also gave other identifiers (a mailbox form with ID number and phone). */
const alsoKnownAs = (s: CaseStep, ...otherIdentityKeys: string[]): CaseStep => ({
  ...s,
  input: { ...s.input, otherIdentityKeys },
});

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
    name: 'a long letter resent with a word changed in most sentences → duplicate',
    steps: [
      step('p1', 'id:1', ROADWORKS_LETTER, '南岸区', 0, { outcome: 'new' }),
      step('p2', 'id:1', ROADWORKS_LETTER_EDITED, '南岸区', 3, { outcome: 'duplicate', of: 'p1' }),
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
    name: 'one person by phone, then by ID number with that phone, then by each alone → one person',
    steps: [
      step('p1', 'phone:+8613800000001', GARAGE_FEES, '江北区', 0, { outcome: 'new' }),
      alsoKnownAs(
        step('p2', 'id:500101199001011234', GARAGE_FEES_EDITED, '江北区', 1, {
          outcome: 'duplicate',
          of: 'p1',
        }),
        'phone:+8613800000001',
        'email:someone@example.cn',
      ),
      // The duplicate brought an ID number and an e-mail its original lacked: it is kept as a
      // link, so each of them alone is still this person's, and verdicts name the original.
      step('p3', 'id:500101199001011234', GARAGE_FEES, '江北区', 2, {
        outcome: 'duplicate',
        of: 'p1',
        clusterSize: 1,
      }),
      step('p4', 'email:someone@example.cn', GARAGE_FEES_REWORDED, '江北区', 3, {
        outcome: 'repeat',
        of: 'p1',
        clusterId: 'p1',
        clusterSize: 2,
      }),
      step('p5', 'phone:+8613800000009', GARAGE_FEES, '江北区', 4, {
        outcome: 'new',
        clusterId: 'p1',
        clusterSize: 3,
      }),
    ],
  },
  {
    name: 'ID number with phone first, then the phone alone → duplicate; other identifiers → new',
    steps: [
      alsoKnownAs(
        step('p1', 'id:500101199001011234', GARAGE_FEES, '江北区', 0, { outcome: 'new' }),
        'phone:+8613800000001',
      ),
      step('p2', 'phone:+8613800000001', GARAGE_FEES_EDITED, '江北区', 1, {
        outcome: 'duplicate',
        of: 'p1',
      }),
      step('p3', 'phone:+8613800000002', GARAGE_FEES, '江北区', 1, {
        outcome: 'new',
        clusterId: 'p1',
      }),
    ],
  },
  {
    name: 'one person under two identifiers counts once towards the alert',
    options: { alertSize: 2, alertWindowDays: 7 },
    steps: [
      alsoKnownAs(
        step('p1', 'id:500101199001011234', GARAGE_FEES, '江北区', 0, { clusterAlert: false }),
        'phone:+8613800000001',
      ),
      step('p2', 'phone:+8613800000001', GARAGE_FEES_REWORDED, '江北区', 1, {
        outcome: 'repeat',
        of: 'p1',
        clusterSize: 2,
        clusterAlert: false,
      }),
      step('p3', 'phone:+8613800000002', GARAGE_FEES_REWORDED, '江北区', 2, {
        outcome: 'new',
        clusterId: 'p1',
        clusterSize: 3,
        clusterAlert: true,
      }),
    ],
  },
  {
    // No stored petition holds both the SMS's phone and the later ID number: the letter on
    // another matter, which gave both, links them (person.ts).
    name: 'a letter giving ID number and phone links them: the ID alone is the SMS sender on its matter',
    options: { alertSize: 2, alertWindowDays: 7 },
    steps: [
      step('p1', 'phone:+8613800000001', GARAGE_FEES, '江北区', 0, { outcome: 'new' }),
      alsoKnownAs(
        step('p2', 'id:500101199001011234', NIGHT_NOISE, '江北区', 1, {
          outcome: 'new',
          clusterId: 'p2',
        }),
        'phone:+8613800000001',
      ),
      // Without the link: a second person on the garage fees (new, same cluster, alert at 2).
      step('p3', 'id:500101199001011234', GARAGE_FEES_REWORDED, '江北区', 2, {
        outcome: 'repeat',
        of: 'p1',
        clusterId: 'p1',
        clusterSize: 2,
        clusterAlert: false,
      }),
      step('p4', 'id:500101199001011234', GARAGE_FEES_EDITED, '江北区', 3, {
        outcome: 'duplicate',
        of: 'p1',
      }),
      step('p5', 'phone:+8613800000002', GARAGE_FEES_REWORDED, '江北区', 4, {
        outcome: 'new',
        clusterId: 'p1',
        clusterAlert: true,
      }),
    ],
  },
  {
    name: 'identifiers are linked only by a petition that gave them together',
    steps: [
      step('p1', 'phone:+8613800000001', GARAGE_FEES, '江北区', 0, { outcome: 'new' }),
      alsoKnownAs(
        step('p2', 'id:500101199001011234', NIGHT_NOISE, '江北区', 1, { outcome: 'new' }),
        'phone:+8613800000003',
      ),
      step('p3', 'id:500101199001011234', GARAGE_FEES_EDITED, '江北区', 2, {
        outcome: 'new',
        clusterId: 'p1',
      }),
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
  {
    name: 'entity key: different people, different wording, one estate in one locality → one cluster',
    options: { alertSize: 3, alertWindowDays: 7 },
    steps: [
      step('e1', 'id:1', ESTATE_FUMES, '渝北区', 0, {
        outcome: 'new',
        clusterId: 'e1',
        clusterSize: 1,
      }),
      step('e2', 'id:2', ESTATE_NOISE, '渝北区', 3, {
        outcome: 'new',
        of: null,
        clusterId: 'e1',
        clusterSize: 2,
        clusterAlert: false,
      }),
      step('e3', 'id:3', ESTATE_SMELL, '渝北区', 5, {
        outcome: 'new',
        clusterId: 'e1',
        clusterSize: 3,
        clusterAlert: true,
      }),
      step('e4', 'id:4', OTHER_ESTATE, '渝北区', 6, {
        outcome: 'new',
        clusterId: 'e4',
        clusterSize: 1,
      }),
    ],
  },
  {
    name: 'entity key: a cluster grows by chaining inside the window, not beyond it',
    options: { clusterWindowDays: 30 },
    steps: [
      step('e1', 'id:1', ESTATE_FUMES, '渝北区', 0, { clusterId: 'e1' }),
      step('e2', 'id:2', ESTATE_NOISE, '渝北区', 25, { clusterId: 'e1', clusterSize: 2 }),
      step('e3', 'id:3', ESTATE_SMELL, '渝北区', 50, { clusterId: 'e1', clusterSize: 3 }),
      step('e4', 'id:4', ESTATE_FUMES, '渝北区', 90, { outcome: 'new', clusterId: 'e4' }),
    ],
  },
  {
    name: 'entity key: the same estate name in another locality → no grouping; the same person naming it again → repeat',
    steps: [
      step('e1', 'id:1', ESTATE_FUMES, '渝北区', 0, { clusterId: 'e1' }),
      step('e2', 'id:2', ESTATE_NOISE, '江北区', 1, { outcome: 'new', clusterId: 'e2' }),
      step('e3', 'id:1', ESTATE_SMELL, '渝北区', 2, {
        outcome: 'repeat',
        of: 'e1',
        clusterId: 'e1',
        clusterSize: 2,
      }),
    ],
  },
  {
    name: 'entity key: the same wording about another named estate is another issue; about the same estate, the same',
    steps: [
      step('g1', 'id:1', GARAGE_FEES, '渝北区', 0, { clusterId: 'g1' }),
      step('g2', 'id:2', GARAGE_FEES_OTHER_ESTATE, '渝北区', 1, {
        outcome: 'new',
        clusterId: 'g2',
        clusterSize: 1,
      }),
      step('g3', 'id:3', GARAGE_FEES_EDITED, '渝北区', 2, {
        outcome: 'new',
        clusterId: 'g1',
        clusterSize: 2,
      }),
    ],
  },
  {
    name: 'entity key: names that only end alike (之城小区) are not the same place',
    steps: [
      step('c1', 'id:1', CITY_A, '江北区', 0, { clusterId: 'c1' }),
      step('c2', 'id:2', CITY_B, '江北区', 1, { outcome: 'new', clusterId: 'c2', clusterSize: 1 }),
    ],
  },
  {
    name: 'entity key: a company with and without 物业管理有限 is one company',
    steps: [
      step('k1', 'id:1', COMPANY_LONG, '江北区', 0, { clusterId: 'k1' }),
      step('k2', 'id:2', COMPANY_SHORT, '江北区', 1, { clusterId: 'k1', clusterSize: 2 }),
    ],
  },
  {
    name: 'matter lexicon: one estate and a common matter → one cluster; another matter → its own',
    matters: CASE_MATTERS,
    steps: [
      step('e1', 'id:1', ESTATE_FUMES, '渝北区', 0, { clusterId: 'e1' }),
      step('e2', 'id:2', ESTATE_SMELL, '渝北区', 1, { clusterId: 'e1', clusterSize: 2 }),
      step('e3', 'id:3', ESTATE_LEAK, '渝北区', 2, {
        outcome: 'new',
        clusterId: 'e3',
        clusterSize: 1,
      }),
      step('e4', 'id:4', ESTATE_NOISE, '渝北区', 3, { clusterId: 'e4', clusterSize: 1 }),
    ],
  },
  {
    name: 'matter lexicon: naming the estate but no matter joins no cluster by the estate alone',
    matters: CASE_MATTERS,
    steps: [
      step('e1', 'id:1', ESTATE_FUMES, '渝北区', 0, { clusterId: 'e1' }),
      step('e2', 'id:2', ESTATE_NO_MATTER, '渝北区', 1, { clusterId: 'e2', clusterSize: 1 }),
      step('e3', 'id:3', ESTATE_SMELL, '渝北区', 2, { clusterId: 'e1', clusterSize: 2 }),
    ],
  },
  {
    name: 'matter lexicon: the same person on one estate, another matter → new; the first matter again → repeat',
    matters: CASE_MATTERS,
    steps: [
      step('e1', 'id:1', ESTATE_FUMES, '渝北区', 0, { clusterId: 'e1' }),
      step('e2', 'id:1', ESTATE_LEAK, '渝北区', 1, {
        outcome: 'new',
        of: null,
        clusterId: 'e2',
        clusterSize: 1,
      }),
      step('e3', 'id:1', ESTATE_SMELL, '渝北区', 2, {
        outcome: 'repeat',
        of: 'e1',
        clusterId: 'e1',
        clusterSize: 2,
      }),
      step('e4', 'id:1', ESTATE_FUMES, '渝北区', 400, {
        outcome: 'new',
        of: null,
        clusterId: 'e4',
      }),
    ],
  },
  {
    name: 'matter lexicon: one company, unpaid wages and parking charges → two issues',
    matters: CASE_MATTERS,
    steps: [
      step('k1', 'id:1', COMPANY_LONG, '江北区', 0, { clusterId: 'k1' }),
      step('k2', 'id:2', COMPANY_SHORT, '江北区', 1, { clusterId: 'k2', clusterSize: 1 }),
    ],
  },
  {
    name: 'entity keys off → wording decides alone',
    options: { entityClusters: false },
    steps: [
      step('e1', 'id:1', ESTATE_FUMES, '渝北区', 0, { clusterId: 'e1' }),
      step('e2', 'id:2', ESTATE_NOISE, '渝北区', 1, { clusterId: 'e2', clusterSize: 1 }),
    ],
  },
];

export function toInput(s: CaseStep): DedupInput {
  return {
    petitionId: s.input.petitionId,
    identityKey: s.input.identityKey,
    ...(s.input.otherIdentityKeys ? { otherIdentityKeys: s.input.otherIdentityKeys } : {}),
    locality: s.input.locality,
    matchText: testMatchText(s.input.text),
    receivedAt: new Date(T0 + s.input.day * DAY),
  };
}

/** The same case through judgeBatch: all steps in one batch, one commit. */
export async function runCaseBatched(engine: DedupEngine, c: VerdictCase): Promise<DedupVerdict[]> {
  return engine.judgeBatch(c.steps.map(toInput));
}

/** Runs one case and returns the verdicts, for the caller's assertions (and cross-store comparison). */
export async function runCase(engine: DedupEngine, c: VerdictCase): Promise<DedupVerdict[]> {
  const out: DedupVerdict[] = [];
  for (const s of c.steps) out.push(await engine.judge(toInput(s)));
  return out;
}
