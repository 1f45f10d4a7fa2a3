import { ConfigReader, readYamlFile } from './config.reader';
import { KeywordAutomaton } from './keyword.automaton';
import { traditionalFold } from './script.fold';

/** One kind of matter (noise, fumes, wage arrears …) and the words that name it. */
export interface MatterGroup {
  readonly id: string;
  readonly terms: readonly string[];
}

/**
 * Bits of a mask: one per group, so a mask fits an unsigned 32-bit integer that the dedup store
 * keeps in each petition's record.
 */
export const MAX_MATTER_GROUPS = 32;

/**
 * The matters a petition names, as a bit mask over the lexicon's groups. The dedup engine uses it
 * to tell "same place, same matter" (集体信访) from "same place, another matter": ten residents of
 * one estate complaining about restaurant fumes are one issue, fumes and a leaking wall are two.
 */
export interface MatterLexicon {
  readonly groups: readonly MatterGroup[];
  /** Bit i set when the text names a term of groups[i]; 0 when it names none. */
  mask(matchText: string): number;
}

/** Validates a parsed matter lexicon (`groups.<id>: [term, …]`) and compiles it. */
export function parseMatterLexicon(raw: unknown, file = '<matters>'): MatterLexicon {
  const reader = new ConfigReader(file);
  const root = reader.record(raw, '');
  reader.onlyKeys(root, '', ['groups']);
  const groupMap = reader.record(root.groups, 'groups');
  const owner = new Map<string, string>();
  const groups = Object.entries(groupMap).map(([id, value]): MatterGroup => {
    const field = `groups.${id}`;
    const terms = reader.texts(value, field);
    if (terms.length === 0) reader.fail(field, 'must list at least one term');
    terms.forEach((term, i) => {
      if (/[\s\p{P}\p{S}A-Z]/u.test(term))
        reader.fail(
          `${field}[${i}]`,
          'must be written as petitions are matched: no spaces, punctuation or capitals',
        );
      const previous = owner.get(term);
      if (previous !== undefined)
        reader.fail(`${field}[${i}]`, `"${term}" is already a term of ${previous}`);
      owner.set(term, id);
    });
    return { id, terms };
  });
  if (groups.length === 0) reader.fail('groups', 'must define at least one group');
  if (groups.length > MAX_MATTER_GROUPS)
    reader.fail(
      'groups',
      `defines ${groups.length} groups; at most ${MAX_MATTER_GROUPS} fit a mask`,
    );
  return compileMatterLexicon(groups);
}

/** Reads, validates and compiles a matter lexicon YAML file. */
export function loadMatterLexicon(path: string): MatterLexicon {
  return parseMatterLexicon(readYamlFile(path), path);
}

function compileMatterLexicon(groups: readonly MatterGroup[]): MatterLexicon {
  const entries = groups.flatMap((group, index) =>
    group.terms.map((term) => ({ pattern: term, payload: 1 << index })),
  );
  const automaton = new KeywordAutomaton(entries, traditionalFold(entries.map((e) => e.pattern)));
  return {
    groups,
    mask(matchText: string): number {
      let mask = 0;
      for (const hit of automaton.scanAll(matchText)) mask |= hit.payload;
      return mask >>> 0;
    },
  };
}
