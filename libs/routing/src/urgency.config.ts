import { ConfigReader, readYamlFile } from './config.reader';
import { KeywordAutomaton } from './keyword.automaton';
import { traditionalFold } from './script.fold';

export const PRIORITIES = ['normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface UrgencyFlag {
  /** Stable id reported in `flags`, e.g. self-harm. */
  readonly id: string;
  /** The priority this flag raises an item to (never lowers it). */
  readonly priority: Exclude<Priority, 'normal'>;
  readonly terms: readonly string[];
  /** Whether a negation cue right before a term cancels it ("没有安全隐患"). */
  readonly negatable: boolean;
}

export interface UrgencyLexiconConfig {
  readonly flags: readonly UrgencyFlag[];
  /** Cues that cancel a negatable term when they end exactly where the term starts. */
  readonly negations: readonly string[];
  /** Phrases containing a term that are not alarming (危房改造, 轮胎漏气): a hit hides the term. */
  readonly stopPhrases: readonly string[];
}

/** A mark is a flag index, or a negation cue, or a stop phrase. */
export type UrgencyMark = number | 'negation' | 'stop';

/** A validated lexicon with its compiled scanner; build it with `parseUrgencyLexicon`. */
export interface UrgencyLexicon {
  readonly config: UrgencyLexiconConfig;
  readonly automaton: KeywordAutomaton<UrgencyMark>;
}

const FLAG_KEYS = ['priority', 'terms', 'negatable'] as const;

/** Validates a parsed urgency lexicon document and compiles it. `file` names the source in errors. */
export function parseUrgencyLexicon(raw: unknown, file = '<urgency>'): UrgencyLexicon {
  const reader = new ConfigReader(file);
  const root = reader.record(raw, '');
  reader.onlyKeys(root, '', ['flags', 'negations', 'stopPhrases']);
  const flagMap = reader.record(root.flags, 'flags');
  const flags = Object.entries(flagMap).map(([id, value]): UrgencyFlag => {
    const field = `flags.${id}`;
    const entry = reader.record(value, field);
    reader.onlyKeys(entry, field, FLAG_KEYS);
    const terms = reader.texts(entry.terms, `${field}.terms`);
    if (terms.length === 0) reader.fail(`${field}.terms`, 'must list at least one term');
    return {
      id,
      priority: reader.oneOf(entry.priority, `${field}.priority`, ['high', 'urgent'] as const),
      terms,
      negatable: reader.bool(entry.negatable, `${field}.negatable`, false),
    };
  });
  if (flags.length === 0) reader.fail('flags', 'must define at least one flag');
  const owner = new Map<string, string>();
  for (const flag of flags) {
    flag.terms.forEach((term, i) => {
      const previous = owner.get(term);
      if (previous !== undefined)
        reader.fail(`flags.${flag.id}.terms[${i}]`, `"${term}" is already a term of ${previous}`);
      owner.set(term, flag.id);
    });
  }
  return compileUrgencyLexicon({
    flags,
    negations: reader.texts(root.negations, 'negations'),
    stopPhrases: reader.texts(root.stopPhrases, 'stopPhrases'),
  });
}

/** Reads, validates and compiles an urgency lexicon YAML file. */
export function loadUrgencyLexicon(path: string): UrgencyLexicon {
  return parseUrgencyLexicon(readYamlFile(path), path);
}

function compileUrgencyLexicon(config: UrgencyLexiconConfig): UrgencyLexicon {
  const entries: { pattern: string; payload: UrgencyMark }[] = [];
  config.flags.forEach((flag, index) => {
    for (const term of flag.terms) entries.push({ pattern: term, payload: index });
  });
  for (const cue of config.negations) entries.push({ pattern: cue, payload: 'negation' });
  for (const phrase of config.stopPhrases) entries.push({ pattern: phrase, payload: 'stop' });
  const fold = traditionalFold(entries.map((entry) => entry.pattern));
  return { config, automaton: new KeywordAutomaton(entries, fold) };
}
