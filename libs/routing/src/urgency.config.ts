import { ConfigReader, readYamlFile } from './config.reader';
import { KeywordAutomaton } from './keyword.automaton';
import { traditionalFold } from './script.fold';

export const PRIORITIES = ['normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** A term as configured: its parts in order ("拖欠…工资" → [拖欠, 工资]); one part = a plain word. */
export interface UrgencyTerm {
  readonly text: string;
  readonly parts: readonly string[];
}

export interface UrgencyFlag {
  /** Stable id reported in `flags`, e.g. self-harm. */
  readonly id: string;
  /** The priority this flag raises an item to (never lowers it). */
  readonly priority: Exclude<Priority, 'normal'>;
  readonly terms: readonly UrgencyTerm[];
  /** Whether a negation cue shortly before a term cancels it ("没有安全隐患", "并不存在任何隐患"). */
  readonly negatable: boolean;
  /** Whether a resolution later in the sentence cancels it ("拖欠的工资已经结清了"). */
  readonly resolvable: boolean;
}

export interface UrgencyLexiconConfig {
  readonly flags: readonly UrgencyFlag[];
  /** Most characters allowed between two parts of a term (never across a sentence end). */
  readonly maxGap: number;
  /** Cues that cancel a negatable term when they stand shortly before it in the same clause. */
  readonly negations: readonly string[];
  /** Cues that cancel a resolvable term when they follow it in the same sentence (已经解决). */
  readonly resolutions: readonly string[];
  /** Phrases containing a term that are not alarming (危房改造, 轮胎漏气): a hit hides the term. */
  readonly stopPhrases: readonly string[];
}

/** What one dictionary word stands for: a part of some terms, a cue, a stop phrase, or several. */
export interface UrgencyRole {
  /**
   * flag index, term index within the flag, part index within the term, the part's slot (a
   * number unique across the lexicon, for the assessor's per-message state) and the term's number
   * of parts.
   */
  readonly parts: readonly (readonly [number, number, number, number, number])[];
  readonly negation: boolean;
  readonly resolution: boolean;
  readonly stop: boolean;
}

/** A validated lexicon with its compiled scanner; build it with `parseUrgencyLexicon`. */
export interface UrgencyLexicon {
  readonly config: UrgencyLexiconConfig;
  readonly automaton: KeywordAutomaton<UrgencyRole>;
  /** How many term parts the lexicon has: the size of the assessor's per-message state. */
  readonly slots: number;
}

const FLAG_KEYS = ['priority', 'terms', 'negatable', 'resolvable'] as const;
const ROOT_KEYS = ['maxGap', 'flags', 'negations', 'resolutions', 'stopPhrases'] as const;
const DEFAULT_MAX_GAP = 12;
/** "拖欠…工资" or "拖欠...工资": the parts of a term with a gap allowed between them. */
const GAP = /…|\.\.\./u;

/** Validates a parsed urgency lexicon document and compiles it. `file` names the source in errors. */
export function parseUrgencyLexicon(raw: unknown, file = '<urgency>'): UrgencyLexicon {
  const reader = new ConfigReader(file);
  const root = reader.record(raw, '');
  reader.onlyKeys(root, '', ROOT_KEYS);
  const flagMap = reader.record(root.flags, 'flags');
  const flags = Object.entries(flagMap).map(([id, value]): UrgencyFlag => {
    const field = `flags.${id}`;
    const entry = reader.record(value, field);
    reader.onlyKeys(entry, field, FLAG_KEYS);
    const texts = reader.texts(entry.terms, `${field}.terms`);
    if (texts.length === 0) reader.fail(`${field}.terms`, 'must list at least one term');
    const terms = texts.map((text, i): UrgencyTerm => {
      const parts = text.split(GAP).map((part) => part.trim());
      if (parts.some((part) => part.length === 0))
        reader.fail(`${field}.terms[${i}]`, 'a gap (…) must stand between two words');
      return { text, parts };
    });
    return {
      id,
      priority: reader.oneOf(entry.priority, `${field}.priority`, ['high', 'urgent'] as const),
      terms,
      negatable: reader.bool(entry.negatable, `${field}.negatable`, false),
      resolvable: reader.bool(entry.resolvable, `${field}.resolvable`, false),
    };
  });
  if (flags.length === 0) reader.fail('flags', 'must define at least one flag');
  const owner = new Map<string, string>();
  for (const flag of flags) {
    flag.terms.forEach((term, i) => {
      const previous = owner.get(term.text);
      if (previous !== undefined)
        reader.fail(
          `flags.${flag.id}.terms[${i}]`,
          `"${term.text}" is already a term of ${previous}`,
        );
      owner.set(term.text, flag.id);
    });
  }
  const maxGap =
    root.maxGap === undefined ? DEFAULT_MAX_GAP : reader.wholeNumber(root.maxGap, 'maxGap');
  return compileUrgencyLexicon({
    flags,
    maxGap,
    negations: reader.texts(root.negations, 'negations'),
    resolutions: reader.texts(root.resolutions, 'resolutions'),
    stopPhrases: reader.texts(root.stopPhrases, 'stopPhrases'),
  });
}

/** Reads, validates and compiles an urgency lexicon YAML file. */
export function loadUrgencyLexicon(path: string): UrgencyLexicon {
  return parseUrgencyLexicon(readYamlFile(path), path);
}

function compileUrgencyLexicon(config: UrgencyLexiconConfig): UrgencyLexicon {
  // One entry per distinct word, so that a word serving several terms (工资 in 拖欠…工资 and in
  // 几个月…没发…工资) or a term and a cue is found once and plays every role.
  const roles = new Map<
    string,
    {
      parts: [number, number, number, number, number][];
      negation: boolean;
      resolution: boolean;
      stop: boolean;
    }
  >();
  const role = (word: string) => {
    let r = roles.get(word);
    if (r === undefined) {
      r = { parts: [], negation: false, resolution: false, stop: false };
      roles.set(word, r);
    }
    return r;
  };
  let slots = 0;
  config.flags.forEach((flag, f) =>
    flag.terms.forEach((term, t) =>
      term.parts.forEach((part, p) => role(part).parts.push([f, t, p, slots++, term.parts.length])),
    ),
  );
  for (const cue of config.negations) role(cue).negation = true;
  for (const cue of config.resolutions) role(cue).resolution = true;
  for (const phrase of config.stopPhrases) role(phrase).stop = true;
  const entries = [...roles].map(([pattern, payload]) => ({ pattern, payload }));
  const fold = traditionalFold(entries.map((entry) => entry.pattern));
  return { config, automaton: new KeywordAutomaton<UrgencyRole>(entries, fold), slots };
}
