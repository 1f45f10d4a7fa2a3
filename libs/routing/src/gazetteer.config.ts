import { ConfigReader, readYamlFile } from './config.reader';
import { chinaDivision } from './division.data';
import { KeywordAutomaton } from './keyword.automaton';
import { applyFold, traditionalFold } from './script.fold';
import type { DivisionCounty, DivisionData, DivisionSource } from './division.data';
import type { CodeUnitFold } from './keyword.automaton';

export interface GazetteerTown {
  /** Official name with its suffix (街道, 镇, 乡), e.g. 李渡街道. */
  readonly name: string;
  /** 9-digit division code (统计用区划代码), e.g. 500102001. */
  readonly code: string;
  /** Other spellings that unambiguously mean this town or street, e.g. 解放碑 for 解放碑街道. */
  readonly aliases: readonly string[];
  /** How many towns of other provinces have the same name (0 when the data was not asked). */
  readonly elsewhere: number;
}

export interface GazetteerDistrict {
  /** Official full name, also the value returned as `district`, e.g. 石柱土家族自治县. */
  readonly name: string;
  /** 6-digit division code, e.g. 500240. */
  readonly code: string;
  /** Bare name without 区/县/市 or its peoples, e.g. 石柱; absent when it would be one character. */
  readonly short?: string;
  /**
   * The short name is also an ordinary word (长寿老人, 石柱子, 河的南岸), so it counts only right
   * after a context cue (重庆, 家住 ...) or right before one of the district's towns.
   */
  readonly shortNeedsContext: boolean;
  /** Former or common names that mean this district, e.g. 开县 for 开州区. */
  readonly aliases: readonly string[];
  readonly towns: readonly GazetteerTown[];
}

export interface GazetteerConfig {
  /** The configured provinces' names, e.g. [重庆市]. */
  readonly provinces: readonly string[];
  readonly contextCues: readonly string[];
  /** Phrases that contain a place name but are not one (公开县 ...): matching them hides the place. */
  readonly stopPhrases: readonly string[];
  readonly districts: readonly GazetteerDistrict[];
}

/** One town a spelling may stand for; `district` is an index into `config.districts`. */
export interface TownOption {
  readonly district: number;
  readonly town: string;
  readonly code: string;
}

/** What a dictionary hit stands for; `district` is an index into `config.districts`. */
export type PlaceMark =
  | {
      readonly kind: 'district';
      readonly district: number;
      readonly strength: 'strong' | 'weak' | 'contextual';
    }
  | {
      readonly kind: 'town';
      /** A town name without its suffix (白石 for 白石镇): counts only right after its county. */
      readonly bare: boolean;
      /**
       * The name is not enough to place it: several configured counties have such a town, or many
       * towns elsewhere in China do (高桥镇, 朝阳街道), so a text about another province would be
       * placed here. It then needs its county in the text or the channel's county.
       */
      readonly needsContext: boolean;
      readonly options: readonly TownOption[];
    }
  | { readonly kind: 'cue' }
  | { readonly kind: 'stop' };

/** A validated gazetteer with its compiled scanner; build it with `parseGazetteer` or `loadGazetteer`. */
export interface Gazetteer {
  readonly config: GazetteerConfig;
  readonly automaton: KeywordAutomaton<PlaceMark>;
  readonly fold: CodeUnitFold;
  /** Folded name, short name or alias → district index, for resolving a channel's county. */
  readonly byName: ReadonlyMap<string, number>;
}

const OVERLAY_KEYS = ['name', 'short', 'shortNeedsContext', 'aliases', 'towns'] as const;
const TOWN_KEYS = ['name', 'aliases'] as const;

// 石柱土家族自治县 → 石柱, 关岭布依族苗族自治县 → 关岭; 渝北区 → 渝北; 清镇市 → 清镇.
const COUNTY_SHORT = /^(.{2,}?)(?:(?:.{1,2}族)+自治县|区|县|市|特区|林区)$/u;
// 白石镇 → 白石, 解放碑街道 → 解放碑, 鞍子苗族乡 → 鞍子.
const TOWN_BARE = /^(.{2,}?)(?:(?:.{1,2}族)+乡|街道|镇|乡|苏木)$/u;

// A town name borne by this many towns of other provinces does not place a text on its own.
const COMMON_ELSEWHERE = 2;

/**
 * Validates a gazetteer document and compiles it with the national division data of its
 * `provinces`. `file` names the source in errors; `source` is the data (a small table in tests).
 */
export function parseGazetteer(
  raw: unknown,
  file = '<gazetteer>',
  source: DivisionSource = chinaDivision,
): Gazetteer {
  const reader = new ConfigReader(file);
  const root = reader.record(raw, '');
  reader.onlyKeys(root, '', ['provinces', 'contextCues', 'stopPhrases', 'districts']);
  const wanted = reader.texts(root.provinces, 'provinces');
  if (wanted.length === 0) reader.fail('provinces', 'must list at least one province');
  const data = readDivisions(reader, source, wanted);
  const districts = mergeOverlay(reader, data, reader.optionalList(root.districts, 'districts'));
  const cues = new Set(reader.texts(root.contextCues, 'contextCues'));
  // A province or prefecture name before a county or town places it ("贵阳市花溪区", "重庆东溪镇").
  for (const province of data.provinces) cues.add(province.name);
  for (const county of data.counties) if (county.prefecture !== null) cues.add(county.prefecture);
  return compileGazetteer({
    provinces: data.provinces.map((province) => province.name),
    contextCues: [...cues],
    stopPhrases: reader.texts(root.stopPhrases, 'stopPhrases'),
    districts,
  });
}

function readDivisions(
  reader: ConfigReader,
  source: DivisionSource,
  provinces: readonly string[],
): DivisionData {
  try {
    return source(provinces);
  } catch (error) {
    return reader.fail('provinces', (error as Error).message);
  }
}

/** Reads, validates and compiles a gazetteer YAML file with the national division data. */
export function loadGazetteer(path: string, source: DivisionSource = chinaDivision): Gazetteer {
  return parseGazetteer(readYamlFile(path), path, source);
}

interface Overlay {
  short?: string;
  shortNeedsContext: boolean;
  aliases: string[];
  townAliases: Map<string, string[]>;
  field: string;
}

/**
 * The data's counties with what the data lacks: former names, landmarks, short names that are
 * ordinary words. An overlay entry for a county of an unconfigured province is skipped (one file
 * serves several deployments); one naming no county of the country is a typo and fails.
 */
function mergeOverlay(
  reader: ConfigReader,
  data: DivisionData,
  items: unknown[],
): GazetteerDistrict[] {
  const overlays = new Map<string, Overlay>();
  items.forEach((item, i) => {
    const field = `districts[${i}]`;
    const entry = reader.record(item, field);
    reader.onlyKeys(entry, field, OVERLAY_KEYS);
    const name = reader.text(entry.name, `${field}.name`);
    const matches = data.counties.filter((county) => county.name === name);
    if (matches.length === 0) {
      if (data.nationalCountyNames.has(name)) return;
      reader.fail(`${field}.name`, `"${name}" is no county in the national division data`);
    }
    if (matches.length > 1)
      reader.fail(`${field}.name`, `"${name}" names ${matches.length} configured counties`);
    const townAliases = new Map<string, string[]>();
    reader.optionalList(entry.towns, `${field}.towns`).forEach((town, j) => {
      const townField = `${field}.towns[${j}]`;
      const record = reader.record(town, townField);
      reader.onlyKeys(record, townField, TOWN_KEYS);
      const townName = reader.text(record.name, `${townField}.name`);
      if (!matches[0]?.towns.some((t) => t.name === townName))
        reader.fail(`${townField}.name`, `"${townName}" is no town of ${name} in the data`);
      townAliases.set(townName, reader.texts(record.aliases, `${townField}.aliases`));
    });
    const short = reader.optionalText(entry.short, `${field}.short`);
    if (short !== undefined && short.length < 2)
      reader.fail(`${field}.short`, 'must be at least two characters');
    overlays.set(name, {
      short,
      shortNeedsContext: reader.bool(entry.shortNeedsContext, `${field}.shortNeedsContext`, false),
      aliases: reader.texts(entry.aliases, `${field}.aliases`),
      townAliases,
      field,
    });
  });

  // Every spelling that names a district must name only one, or extraction would be arbitrary.
  // Full names shared by two configured counties (市中区 in two provinces) are left out of the text
  // scan altogether; derived short names that clash are dropped, configured ones fail.
  const nameCount = new Map<string, number>();
  for (const county of data.counties)
    nameCount.set(county.name, (nameCount.get(county.name) ?? 0) + 1);
  const owner = new Map<string, DivisionCounty>();
  for (const county of data.counties) owner.set(county.name, county);
  for (const county of data.counties) {
    const overlay = overlays.get(county.name);
    overlay?.aliases.forEach((alias, j) => {
      const taken = owner.get(alias);
      if (taken !== undefined && taken.code !== county.code)
        reader.fail(`${overlay.field}.aliases[${j}]`, `"${alias}" already names ${taken.name}`);
      owner.set(alias, county);
    });
  }
  const derived = new Map<string, string[]>();
  for (const county of data.counties) {
    const short = overlays.get(county.name)?.short ?? COUNTY_SHORT.exec(county.name)?.[1];
    if (short !== undefined) derived.set(short, [...(derived.get(short) ?? []), county.code]);
  }

  return data.counties.map((county): GazetteerDistrict => {
    const overlay = overlays.get(county.name);
    let short = overlay?.short ?? COUNTY_SHORT.exec(county.name)?.[1];
    if (short !== undefined) {
      const clash =
        (derived.get(short)?.length ?? 0) > 1 ||
        (owner.get(short) !== undefined && owner.get(short)?.code !== county.code);
      if (clash && overlay?.short !== undefined)
        reader.fail(`${overlay.field}.short`, `"${short}" also names another county`);
      if (clash || (nameCount.get(county.name) ?? 0) > 1) short = undefined;
    }
    return {
      name: county.name,
      code: county.code,
      short,
      shortNeedsContext: overlay?.shortNeedsContext ?? false,
      aliases: overlay?.aliases ?? [],
      towns: county.towns.map((town) => ({
        name: town.name,
        code: town.code,
        aliases: overlay?.townAliases.get(town.name) ?? [],
        elsewhere: data.elsewhere.get(town.name) ?? 0,
      })),
    };
  });
}

function compileGazetteer(config: GazetteerConfig): Gazetteer {
  const entries: { pattern: string; payload: PlaceMark }[] = [];
  const districtSpellings = new Set<string>();
  const nameCount = new Map<string, number>();
  for (const district of config.districts)
    nameCount.set(district.name, (nameCount.get(district.name) ?? 0) + 1);
  const addDistrict = (
    pattern: string,
    district: number,
    strength: 'strong' | 'weak' | 'contextual',
  ) => {
    districtSpellings.add(pattern);
    entries.push({ pattern, payload: { kind: 'district', district, strength } });
  };
  config.districts.forEach((district, index) => {
    if (nameCount.get(district.name) === 1) addDistrict(district.name, index, 'strong');
    for (const alias of district.aliases) addDistrict(alias, index, 'strong');
    if (district.short !== undefined)
      addDistrict(district.short, index, district.shortNeedsContext ? 'contextual' : 'weak');
  });

  // One entry per spelling: a town name shared by several districts becomes one ambiguous mark.
  // A spelling that is a full town name or alias anywhere is never also used as a bare form.
  const full = new Map<string, { options: TownOption[]; common: boolean }>();
  const bare = new Map<string, { options: TownOption[]; common: boolean }>();
  const add = (map: typeof full, spelling: string, option: TownOption, common: boolean): void => {
    if (districtSpellings.has(spelling)) return;
    const entry = map.get(spelling) ?? { options: [], common: false };
    if (!entry.options.some((o) => o.district === option.district && o.code === option.code))
      entry.options.push(option);
    entry.common ||= common;
    map.set(spelling, entry);
  };
  config.districts.forEach((district, index) => {
    for (const town of district.towns) {
      const option = { district: index, town: town.name, code: town.code };
      add(full, town.name, option, town.elsewhere >= COMMON_ELSEWHERE);
      for (const alias of town.aliases) add(full, alias, option, false);
      const stem = TOWN_BARE.exec(town.name)?.[1];
      if (stem !== undefined) add(bare, stem, option, true);
    }
  });
  for (const [spelling, { options, common }] of full) {
    const needsContext = common || options.length > 1;
    entries.push({
      pattern: spelling,
      payload: { kind: 'town', bare: false, needsContext, options },
    });
  }
  const cues = new Set(config.contextCues);
  for (const [spelling, { options }] of bare)
    if (!full.has(spelling) && !cues.has(spelling))
      entries.push({
        pattern: spelling,
        payload: { kind: 'town', bare: true, needsContext: true, options },
      });
  for (const cue of cues)
    if (!districtSpellings.has(cue) && !full.has(cue))
      entries.push({ pattern: cue, payload: { kind: 'cue' } });
  for (const phrase of config.stopPhrases)
    entries.push({ pattern: phrase, payload: { kind: 'stop' } });

  const fold = traditionalFold(entries.map((entry) => entry.pattern));
  const byName = new Map<string, number>();
  config.districts.forEach((district, index) => {
    for (const spelling of [district.name, district.short, ...district.aliases]) {
      if (spelling !== undefined && (spelling !== district.name || nameCount.get(spelling) === 1))
        byName.set(applyFold(fold, spelling), index);
    }
  });
  return { config, automaton: new KeywordAutomaton(entries, fold), fold, byName };
}
