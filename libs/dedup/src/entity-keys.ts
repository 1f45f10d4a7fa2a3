import { fmix32 } from './min-hash.fingerprint';

/**
 * Entity keys: the specific places and organisations a petition names (魅力之城小区, 经济学院,
 * 程明公司, 新风村), so that petitions from different people about one estate or one school can be
 * grouped even when their wording shares little. Whole-text similarity cannot do this: ten people
 * describing fumes at one estate write ten different letters.
 *
 * Extraction works on `matchText` (no punctuation or spaces, lower case, Simplified), so names are
 * found by their type word and the name characters before it:
 *
 *   1. Find every type word (小区, 花园, 学院, 医院, 公司, …; longest first).
 *   2. Walk back from it over at most MAX_RUN characters, stopping at anything that cannot be inside
 *      a name: non-Han characters (digits, latin, so "a5区" ends a run), administrative words (省 市
 *      区 县 镇 乡), function words (的 是 在 我 们 这 该 …), other type words' boundary characters
 *      (路 街 号 栋 …) and the end of another type word ("幼儿园民政学院" names 民政学院).
 *   3. Strip generic descriptors from the end of the run (有限, 物业, 管理, 人民, …): "程明物业管理有限
 *      公司" and "程明公司" are one company; "人民医院" alone names no particular hospital.
 *   4. Start the name after the last clause word in the run (投诉, 反映, 严重, 如下 …: "投诉同发公司" is
 *      同发公司); a run ending in one keys nothing ("污染环境小区").
 *   5. Count only the particular characters: generic words at the end (国际, 实验, 普惠性, 理工 …) say
 *      what kind of school or company it is, not which. Drop names with fewer than 2 particular
 *      characters, and those with 2 neither right after an address marker (市 区 县 镇 路 …, a digit
 *      or letter), a clause word or another type word nor right before another type word (东湖花园小区):
 *      without punctuation, "业主小区" is a clause end followed by 小区 more often than a name.
 *   6. Emit the last 2, 3 and 4 particular characters, with the generic tail, + type word as keys,
 *      so a name written with or without a prefix ("万科魅力之城小区" / "魅力之城小区", "涉外经济学院" /
 *      "经济学院") still shares a key, and "湘江国际实验学校" never keys 国际实验学校. A key with 2
 *      particular characters cut from a longer name is *weak*: two weak keys are not evidence ("之城小区"
 *      from two different estates), a weak key meets a complete 2-character name ("经济学院").
 *
 * Estates are often named without 小区 (金港新城, 碧桂园之城, 南山公馆, 滨河苑): those endings are type
 * words too, so "金港新城附近" and "金港新城小区" share the key 金港新城. Measured on
 * messages_with_likes: of the pairs that at least three competition teams grouped, 65 % → 99.8 %
 * land in one cluster; of those two teams grouped, 27 % → 66 % (苑 alone: 45 % → 66 %); random
 * messages joining a cluster by entity alone 3.14 % → 4.06 %. 苑 ends little but names; 府 and 园
 * are left out: they would key every 人民政府 and 公园. Clause words, generic tails and the type-word
 * boundary (steps 2, 4, 5) then took random entity-only joins from 3.40 % to 3.14 % with the same
 * share of paired messages grouped (scripts/quality/dedup.ts, DEDUP_QUALITY_ONLY=hot).
 *
 * Limits: type words outside the list are missed; a name preceded by a verb that is not a stop
 * character or clause word yields extra keys ("彻查金麓小区" → 查金麓小区), which only match the same
 * garbage; a typo in a name (滨河院 for 滨河苑) is another name; roads, streets, communities and villages (AREA_WORDS) make no key: too many
 * unrelated matters share them; the engine only groups on a key within the cluster window and in
 * the same locality. A key says nothing about the matter: given a matter lexicon (MatterTagger,
 * config/matters.yaml) the engine also requires a common matter, otherwise two matters at one
 * estate in one month are grouped together.
 */

/**
 * Type words. Matched in list order at each position, so a longer word must come before any word it
 * starts with (none of these do today).
 */
export const ENTITY_TYPE_WORDS: readonly string[] = [
  '幼儿园',
  '小区',
  '花园',
  '家园',
  '公寓',
  '大厦',
  '广场',
  '学院',
  '学校',
  '大学',
  '中学',
  '小学',
  '医院',
  '公司',
  '集团',
  '市场',
  '新城',
  '之城',
  '华府',
  '公馆',
  '华庭',
  '名城',
  '山庄',
  '苑',
];

/**
 * Areas rather than things: a road, street office, community or village hosts many unrelated
 * matters (measured: keyed on these, a quarter of random messages joined some cluster). They end a
 * name from the left but make no key.
 */
export const AREA_WORDS: readonly string[] = ['社区', '街道', '村', '路'];

/** Name characters looked at before a type word. */
const MAX_RUN = 6;
/** Keys per petition, in order of first mention: bounds the buckets a judgement reads and writes. */
export const MAX_ENTITY_KEYS = 8;

/** Address markers: a 2-character name counts only right after one (a市经济学院, 5区幸福小区). */
const ADDRESS_CHARS = new Set(Array.from('省市区县镇乡州路街巷道村号'));

const STOP_CHARS = new Set(
  Array.from(
    // administrative levels and address parts
    '省市区县镇乡州路街巷道村号栋幢楼层室单元' +
      // function words, pronouns, common verbs and quantifiers that end a name from the left
      '的了是在我你他她它们这那该本此其各每和与及或对向从到于把被给让由为没不也都就还又很' +
      '住要请问个位所等将已说着过去来里内旁边近附约离靠',
  ),
);

/** Generic descriptors stripped from the end of a name, longest first. */
const DESCRIPTORS: readonly string[] = [
  '有限责任',
  '房地产',
  '股份',
  '有限',
  '责任',
  '管理',
  '服务',
  '物业',
  '开发',
  '置业',
  '地产',
  '建设',
  '建筑',
  '工程',
  '科技',
  '实业',
  '投资',
  '发展',
  '经营',
  '集团',
  '人民',
  '附属',
  // "小区配套幼儿园": the estate's kindergarten, not a kindergarten called 配套
  '配套',
  '职业',
  '技术',
  '分',
  '总',
  // the phase of an estate: "锦绣江南二期小区" is 锦绣江南小区
  '一期',
  '二期',
  '三期',
  '四期',
  '五期',
];

/** Whole names that say nothing specific. */
const GENERIC_NAMES = new Set([
  '周边',
  '周围',
  '老旧',
  '新建',
  '整个',
  '隔壁',
  '对面',
  '高档',
  '普通',
  '民办',
  '公办',
  '私立',
  '公立',
  '民营',
  '正规',
  '当地',
  '本地',
  '城区',
  '城市',
  '农村',
  '乡村',
  '大型',
  '小型',
  '多个',
  '几个',
  '两个',
  '一个',
  '一家',
  '全国',
  '全省',
  '全市',
  '安置',
  '商品',
  '高速',
  '马路',
  '道路',
  '公路',
  '乡镇',
  '医科',
  '师范',
  // kinds of university: every province has a 理工大学 and a 财经学院
  '理工',
  '财经',
  '政法',
  '农业',
  '工业',
  '商业',
  // kinds of school: 完全中学, 义务教育学校
  '完全',
  '义务',
  '重点',
  '一所',
  '这所',
  '那所',
  '某某',
  '本科',
  '专科',
  '高等',
  '初级',
  '中级',
  '高级',
  '培训',
  // Kinds of organisation rather than one organisation: every city has a 公交公司, a 供水公司, a
  // 农贸市场 and a 中心小学 (measured: these keys joined unrelated messages, e.g. a bus-stop sign
  // and a bus company's unpaid wages).
  '电力',
  '供电',
  '供水',
  '自来水',
  '水务',
  '燃气',
  '天然气',
  '热力',
  '公交',
  '出租车',
  '出租',
  '客运',
  '运输',
  '房产',
  '城建',
  '城投',
  '电信',
  '移动',
  '联通',
  '邮政',
  '快递',
  '物流',
  '保险',
  '银行',
  '保安',
  '家政',
  '装修',
  '装饰',
  '广告',
  '网络',
  '中介',
  '劳务',
  '旅游',
  '旅行',
  '餐饮',
  '环卫',
  '保洁',
  '绿化',
  '园林',
  '市政',
  '交通',
  '教育',
  '医疗',
  '汽车',
  '农贸',
  '菜市',
  '建材',
  '批发',
  '家具',
  '中心',
  '实验',
  '外国语',
  '普惠',
  '普惠性',
  '国际',
  '双语',
  '寄宿',
  '艺术',
  '体育',
  '特殊',
]);

/**
 * Verbs and clause words. Without punctuation a run before a type word often holds a clause: one
 * ending in such a word is no name ("严重影响小区居民", "污染环境小区"), and a name starts after
 * one ("投诉同发公司" is 同发公司; "正常生活小区" keys nothing).
 */
const CLAUSE_WORDS = new Set([
  '投诉',
  '反映',
  '举报',
  '咨询',
  '关于',
  '解决',
  '影响',
  '希望',
  '要求',
  '建议',
  '请求',
  '严重',
  '污染',
  '环境',
  '生活',
  '上班',
  '上学',
  // list and reference words: "问题如下：一、小区…", "（下称盛国公司）"
  '如下',
  '以下',
  '下称',
  '简称',
]);

/** A name that is itself a type word (公馆小区, 新城小区) names no particular place. */
const TYPE_WORD_NAMES = new Set(ENTITY_TYPE_WORDS);

function isGenericName(name: string): boolean {
  return GENERIC_NAMES.has(name) || TYPE_WORD_NAMES.has(name);
}

export interface EntityKey {
  /** Name characters + type word, e.g. 魅力之城小区. */
  key: string;
  /** A 2-character key cut from a longer name: evidence only against a complete 2-character name. */
  weak: boolean;
}

const HAN = /\p{Script=Han}/u;
/** Per BMP code unit: 0 not yet known, 1 Han, 2 not Han (a regex test per character was slow). */
const hanOfBmp = new Uint8Array(0x10000);

function isHan(cp: number): boolean {
  if (cp > 0xffff) return HAN.test(String.fromCodePoint(cp));
  let han = hanOfBmp[cp] ?? 0;
  if (han === 0) {
    han = HAN.test(String.fromCharCode(cp)) ? 1 : 2;
    hanOfBmp[cp] = han;
  }
  return han === 1;
}

/** A set of BMP characters as a flag per code unit: one array read per text position. */
function charFlags(chars: Iterable<string>): Uint8Array {
  const flags = new Uint8Array(0x10000);
  for (const ch of chars) flags[ch.charCodeAt(0)] = 1;
  return flags;
}

const isStop = charFlags(STOP_CHARS);
const isAddress = charFlags(ADDRESS_CHARS);
/** Whether a character can start a type word or an area word. */
const startsWord = charFlags([...ENTITY_TYPE_WORDS, ...AREA_WORDS].map((w) => w.charAt(0)));

/** Words indexed by their first character (all type and area words are BMP text). */
/** Words indexed by the character at `at(word)`, in list order. */
function byChar(words: readonly string[], at: (word: string) => number): Map<number, string[]> {
  const index = new Map<number, string[]>();
  for (const w of words) {
    const c = w.charCodeAt(at(w));
    index.set(c, [...(index.get(c) ?? []), w]);
  }
  return index;
}

const TYPE_WORDS_BY_FIRST = byChar(ENTITY_TYPE_WORDS, () => 0);
const AREA_WORDS_BY_FIRST = byChar(AREA_WORDS, () => 0);
const TYPE_WORDS_BY_LAST = byChar(ENTITY_TYPE_WORDS, (w) => w.length - 1);
const endsType = charFlags(ENTITY_TYPE_WORDS.map((w) => w.charAt(w.length - 1)));

/** Whether a type word ends just before code point `end` (its last character at end - 1). */
function typeWordEndsAt(end: number): boolean {
  for (const w of TYPE_WORDS_BY_LAST.get(codePoints[end - 1] ?? 0) ?? []) {
    if (w.length > end) continue;
    let j = 0;
    while (j < w.length && codePoints[end - w.length + j] === w.charCodeAt(j)) j++;
    if (j === w.length) return true;
  }
  return false;
}

function stripDescriptors(name: string): string {
  let n = name;
  for (let changed = true; changed && n.length > 0;) {
    changed = false;
    for (const d of DESCRIPTORS) {
      if (n.length > d.length && n.endsWith(d)) {
        n = n.slice(0, -d.length);
        changed = true;
        break;
      }
      if (n === d) {
        n = '';
        changed = true;
        break;
      }
    }
  }
  return n;
}

/**
 * The name characters after the last clause word (CLAUSE_WORDS), and whether one was cut off; null
 * when the run ends in one.
 */
function afterClause(chars: string[]): { chars: string[]; cut: boolean } | null {
  for (let i = chars.length - 2; i >= 0; i--) {
    if (!CLAUSE_WORDS.has(`${chars[i] ?? ''}${chars[i + 1] ?? ''}`)) continue;
    return i + 2 === chars.length ? null : { chars: chars.slice(i + 2), cut: true };
  }
  return { chars, cut: false };
}

/**
 * How many characters at the end of a name are generic words ("梅岭国际实验" → 4, 国际实验): they
 * say what kind of school it is, not which one, so they do not count towards its length.
 */
function genericTailLength(chars: string[]): number {
  let end = chars.length;
  for (let found = true; found && end > 0;) {
    found = false;
    for (let len = Math.min(3, end); len >= 2; len--) {
      if (isGenericName(chars.slice(end - len, end).join(''))) {
        end -= len;
        found = true;
        break;
      }
    }
  }
  return chars.length - end;
}

/** Code points of the text, reused between calls: judging allocates nothing per character. */
let codePoints = new Uint32Array(1024);

function toCodePoints(text: string): number {
  if (codePoints.length < text.length) codePoints = new Uint32Array(text.length * 2);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        c = ((c - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        i++;
      }
    }
    codePoints[n++] = c;
  }
  return n;
}

/** The word of `words` (BMP, no surrogates) that starts at code point i, if any. */
function wordAt(words: readonly string[] | undefined, i: number, n: number): string | undefined {
  if (words === undefined) return undefined;
  for (const w of words) {
    let j = 0;
    while (j < w.length && i + j < n && codePoints[i + j] === w.charCodeAt(j)) j++;
    if (j === w.length) return w;
  }
  return undefined;
}

/**
 * Keys of one name before type word `type`: its last 2, 3 and 4 particular characters with any
 * generic tail ("梅岭国际" + 幼儿园 → 梅岭国际幼儿园, never 岭国际幼儿园 or 国际幼儿园). A 2-character key
 * cut from a longer name is weak.
 */
function addNameKeys(
  out: Map<string, boolean>,
  chars: string[],
  type: string,
  addressed: boolean,
): void {
  const tail = genericTailLength(chars);
  const particular = chars.length - tail;
  if (particular < 2 || (particular === 2 && !addressed)) return;
  for (let k = 2; k <= Math.min(4, particular); k++) {
    const key = chars.slice(-(k + tail)).join('') + type;
    const weak = k === 2 && particular > 2;
    // A key seen once complete stays complete.
    out.set(key, (out.get(key) ?? true) && weak);
  }
}

/** The entity keys of a petition's matchText, deduplicated, in order of first mention. */
export function entityKeys(matchText: string): EntityKey[] {
  const n = toCodePoints(matchText);
  const out = new Map<string, boolean>();
  for (let i = 0; i < n && out.size < MAX_ENTITY_KEYS; i++) {
    const first = codePoints[i] ?? 0;
    if (first > 0xffff || startsWord[first] === 0) continue;
    const type = wordAt(TYPE_WORDS_BY_FIRST.get(first), i, n);
    if (type === undefined) {
      const area = wordAt(AREA_WORDS_BY_FIRST.get(first), i, n);
      if (area) i += area.length - 1;
      continue;
    }
    let start = i;
    let afterType = false;
    // Room for descriptors (程明物业管理有限公司) before the name is cut to MAX_RUN characters.
    while (start > 0 && i - start < 2 * MAX_RUN) {
      const ch = codePoints[start - 1] ?? 0;
      if (!isHan(ch) || (ch <= 0xffff && isStop[ch] === 1)) break;
      // Another name's type word ends this one: "幼儿园民政学院" names 民政学院.
      if (ch <= 0xffff && endsType[ch] === 1 && typeWordEndsAt(start)) {
        afterType = true;
        break;
      }
      start--;
    }
    const run = String.fromCodePoint(...codePoints.subarray(start, i));
    const stripped = Array.from(stripDescriptors(run));
    if (stripped.length > MAX_RUN) start = i; // cut: the left boundary is unknown
    const clauseCut = afterClause(stripped.slice(-MAX_RUN));
    if (clauseCut !== null) {
      // Without word boundaries a name of 2 characters is as often a clause end (业主小区, 学生学校):
      // trust it only after an address marker, a clause word, another type word or at the start,
      // or before another type word.
      const before = start > 0 ? (codePoints[start - 1] ?? 0) : undefined;
      // A type word right after this one ("东湖花园小区") makes a compound name, not a clause end.
      const compound = wordAt(
        TYPE_WORDS_BY_FIRST.get(codePoints[i + type.length] ?? 0),
        i + type.length,
        n,
      );
      const addressed =
        clauseCut.cut ||
        afterType ||
        compound !== undefined ||
        before === undefined ||
        !isHan(before) ||
        (before <= 0xffff && isAddress[before] === 1);
      addNameKeys(out, clauseCut.chars, type, addressed);
    }
    i += type.length - 1;
  }
  return [...out.entries()].slice(0, MAX_ENTITY_KEYS).map(([key, weak]) => ({ key, weak }));
}

/** FNV-1a over UTF-16 units, finalised. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h ^ 0x5bd1e995);
}

/**
 * Stored form: the key's hash with the lowest bit replaced by the weak flag. The bucket of a key is
 * `entityBucket(code)`: the same for the weak and the complete form.
 */
export function entityCode(k: EntityKey): number {
  return ((hashString(k.key) & ~1) | (k.weak ? 1 : 0)) >>> 0;
}

/**
 * Bucket key of an entity. Entity buckets share the u32 key space with LSH band buckets; a clash
 * only adds candidates, which are checked against the stored entity codes.
 */
export function entityBucket(code: number): number {
  // Signed, like LSH band keys (see bandKeysOf): unboxed in arrays and Maps.
  return fmix32((code & ~1) ^ 0x2545f491) | 0;
}

/** Whether two petitions' entity codes name the same thing (one shared key, not both weak). */
export function sharedEntities(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  for (const x of a) {
    for (const y of b) if ((x | 1) === (y | 1) && (x & y & 1) === 0) n++;
  }
  return n;
}
