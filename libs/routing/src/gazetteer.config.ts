import { ConfigReader, readYamlFile } from './config.reader';
import { KeywordAutomaton } from './keyword.automaton';
import { applyFold, traditionalFold } from './script.fold';
import type { CodeUnitFold } from './keyword.automaton';

export interface GazetteerTown {
  /** Official name with its suffix (街道, 镇, 乡), e.g. 李渡街道. */
  readonly name: string;
  /** Other spellings that unambiguously mean this town or street, e.g. 解放碑 for 解放碑街道. */
  readonly aliases: readonly string[];
}

export interface GazetteerDistrict {
  /** Official full name, also the value returned as `district`, e.g. 石柱土家族自治县. */
  readonly name: string;
  /** Bare name without 区/县, e.g. 石柱; matched in text only as configured by `shortNeedsContext`. */
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
  readonly region: string;
  readonly contextCues: readonly string[];
  /** Phrases that contain a place name but are not one (公开县 ...): matching them hides the place. */
  readonly stopPhrases: readonly string[];
  readonly districts: readonly GazetteerDistrict[];
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
      readonly options: readonly { readonly district: number; readonly town: string }[];
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

const DISTRICT_KEYS = ['name', 'short', 'shortNeedsContext', 'aliases', 'towns'] as const;
const TOWN_KEYS = ['name', 'aliases'] as const;

/** Validates a parsed gazetteer document and compiles it. `file` names the source in errors. */
export function parseGazetteer(raw: unknown, file = '<gazetteer>'): Gazetteer {
  const reader = new ConfigReader(file);
  const root = reader.record(raw, '');
  reader.onlyKeys(root, '', ['region', 'contextCues', 'stopPhrases', 'districts']);
  const districtList = reader.list(root.districts, 'districts');
  if (districtList.length === 0) reader.fail('districts', 'must list at least one district');

  // Every spelling that names a district must name only one, or extraction would be arbitrary.
  const owner = new Map<string, string>();
  const claim = (spelling: string, field: string, district: string): void => {
    const previous = owner.get(spelling);
    if (previous !== undefined && previous !== district) {
      reader.fail(field, `"${spelling}" already names ${previous}`);
    }
    owner.set(spelling, district);
  };

  const districts = districtList.map((item, i): GazetteerDistrict => {
    const field = `districts[${i}]`;
    const entry = reader.record(item, field);
    reader.onlyKeys(entry, field, DISTRICT_KEYS);
    const name = reader.text(entry.name, `${field}.name`);
    claim(name, `${field}.name`, name);
    const short = reader.optionalText(entry.short, `${field}.short`);
    if (short !== undefined) {
      if (short.length < 2) reader.fail(`${field}.short`, 'must be at least two characters');
      claim(short, `${field}.short`, name);
    }
    const aliases = reader.texts(entry.aliases, `${field}.aliases`);
    aliases.forEach((alias, j) => claim(alias, `${field}.aliases[${j}]`, name));
    const towns = reader
      .optionalList(entry.towns, `${field}.towns`)
      .map((town, j): GazetteerTown => {
        const townField = `${field}.towns[${j}]`;
        if (typeof town === 'string') return { name: reader.text(town, townField), aliases: [] };
        const record = reader.record(town, townField);
        reader.onlyKeys(record, townField, TOWN_KEYS);
        return {
          name: reader.text(record.name, `${townField}.name`),
          aliases: reader.texts(record.aliases, `${townField}.aliases`),
        };
      });
    return {
      name,
      short,
      shortNeedsContext: reader.bool(entry.shortNeedsContext, `${field}.shortNeedsContext`, false),
      aliases,
      towns,
    };
  });

  // Towns may share a name across districts (人和街道); they must not reuse a district's name.
  districts.forEach((district, i) =>
    district.towns.forEach((town, j) => {
      for (const spelling of [town.name, ...town.aliases]) {
        const taken = owner.get(spelling);
        if (taken !== undefined)
          reader.fail(`districts[${i}].towns[${j}]`, `"${spelling}" already names ${taken}`);
      }
    }),
  );

  return compileGazetteer({
    region: reader.text(root.region, 'region'),
    contextCues: reader.texts(root.contextCues, 'contextCues'),
    stopPhrases: reader.texts(root.stopPhrases, 'stopPhrases'),
    districts,
  });
}

/** Reads, validates and compiles a gazetteer YAML file. */
export function loadGazetteer(path: string): Gazetteer {
  return parseGazetteer(readYamlFile(path), path);
}

function compileGazetteer(config: GazetteerConfig): Gazetteer {
  const entries: { pattern: string; payload: PlaceMark }[] = [];
  // One entry per spelling: a town name shared by several districts becomes one ambiguous mark.
  const townOptions = new Map<string, { district: number; town: string }[]>();
  config.districts.forEach((district, index) => {
    entries.push({
      pattern: district.name,
      payload: { kind: 'district', district: index, strength: 'strong' },
    });
    for (const alias of district.aliases) {
      entries.push({
        pattern: alias,
        payload: { kind: 'district', district: index, strength: 'strong' },
      });
    }
    if (district.short !== undefined) {
      const strength = district.shortNeedsContext ? 'contextual' : 'weak';
      entries.push({
        pattern: district.short,
        payload: { kind: 'district', district: index, strength },
      });
    }
    for (const town of district.towns) {
      for (const spelling of [town.name, ...town.aliases]) {
        const options = townOptions.get(spelling) ?? [];
        if (!options.some((option) => option.district === index))
          options.push({ district: index, town: town.name });
        townOptions.set(spelling, options);
      }
    }
  });
  for (const [spelling, options] of townOptions)
    entries.push({ pattern: spelling, payload: { kind: 'town', options } });
  for (const cue of config.contextCues) entries.push({ pattern: cue, payload: { kind: 'cue' } });
  for (const phrase of config.stopPhrases)
    entries.push({ pattern: phrase, payload: { kind: 'stop' } });

  const fold = traditionalFold(entries.map((entry) => entry.pattern));
  const byName = new Map<string, number>();
  config.districts.forEach((district, index) => {
    for (const spelling of [district.name, district.short, ...district.aliases]) {
      if (spelling !== undefined) byName.set(applyFold(fold, spelling), index);
    }
  });
  return { config, automaton: new KeywordAutomaton(entries, fold), fold, byName };
}
