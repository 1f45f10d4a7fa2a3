import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { matchText } from '@app/text';
import { RulesConfigError } from './classify-rules.loader';

export const INTENTS = ['complaint', 'suggestion', 'consultation', 'report', 'thanks'] as const;
export type Intent = (typeof INTENTS)[number];

export interface IntentResult {
  intent: Intent;
  /** (winning weight + 1) / (all weights + 2): 0.5 when nothing matched or a tie, → 1 when one intent dominates. */
  confidence: number;
}

export interface IntentLexicon {
  default: Intent;
  intents: { intent: Intent; keywords: Map<string, number> }[];
}

function isIntent(v: unknown): v is Intent {
  return typeof v === 'string' && (INTENTS as readonly string[]).includes(v);
}

/** Validates a parsed intents document; errors name the bad field (`intents[1].keywords.建议`). */
export function parseIntentLexicon(doc: unknown, file = 'intents'): IntentLexicon {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new RulesConfigError(file, '(root)', 'must be a mapping with default and intents');
  const root = doc as Record<string, unknown>;
  const fallback = root.default ?? 'complaint';
  if (!isIntent(fallback))
    throw new RulesConfigError(file, 'default', `must be one of ${INTENTS.join(', ')}`);
  if (!Array.isArray(root.intents)) throw new RulesConfigError(file, 'intents', 'must be a list');
  const intents = root.intents.map((raw: unknown, i) => {
    const at = `intents[${i}]`;
    if (typeof raw !== 'object' || raw === null)
      throw new RulesConfigError(file, at, 'must be a mapping');
    const entry = raw as Record<string, unknown>;
    if (!isIntent(entry.intent))
      throw new RulesConfigError(file, `${at}.intent`, `must be one of ${INTENTS.join(', ')}`);
    const kw = entry.keywords;
    if (typeof kw !== 'object' || kw === null || Array.isArray(kw) || Object.keys(kw).length === 0)
      throw new RulesConfigError(
        file,
        `${at}.keywords`,
        'must be a non-empty mapping keyword: weight',
      );
    const keywords = new Map<string, number>();
    for (const [word, weight] of Object.entries(kw as Record<string, unknown>)) {
      if (typeof weight !== 'number' || !(weight > 0))
        throw new RulesConfigError(
          file,
          `${at}.keywords.${word}`,
          'must have a positive number weight',
        );
      if (matchText(word) !== word.toLowerCase())
        throw new RulesConfigError(file, `${at}.keywords.${word}`, 'must be in matchText form');
      keywords.set(word.toLowerCase(), weight);
    }
    return { intent: entry.intent, keywords };
  });
  return { default: fallback, intents };
}

/**
 * The lexicon's keywords indexed by first code unit, so that one pass over a text finds which
 * keywords it contains (instead of one `includes` scan of the whole text per keyword).
 */
interface KeywordIndex {
  /** Keyword ids (positions in `present`) by first code unit. */
  readonly byFirstUnit: ReadonlyMap<number, readonly { word: string; id: number }[]>;
  readonly startsKeyword: Uint8Array;
  /** Per intent, its keywords' ids and weights in lexicon order (the order scores are summed in). */
  readonly scoring: readonly { intent: Intent; ids: Int32Array; weights: Float64Array }[];
  /** Ids of empty keywords, which every text contains. */
  readonly always: readonly number[];
  readonly size: number;
}

function indexKeywords(lexicon: IntentLexicon): KeywordIndex {
  const byFirstUnit = new Map<number, { word: string; id: number }[]>();
  const startsKeyword = new Uint8Array(0x10000);
  const always: number[] = [];
  let size = 0;
  const scoring = lexicon.intents.map(({ intent, keywords }) => {
    const ids = new Int32Array(keywords.size);
    const weights = new Float64Array(keywords.size);
    let k = 0;
    for (const [word, weight] of keywords) {
      const id = size++;
      ids[k] = id;
      weights[k++] = weight;
      if (word.length === 0) {
        always.push(id);
        continue;
      }
      const first = word.charCodeAt(0);
      byFirstUnit.set(first, [...(byFirstUnit.get(first) ?? []), { word, id }]);
      startsKeyword[first] = 1;
    }
    return { intent, ids, weights };
  });
  return { byFirstUnit, startsKeyword, scoring, always, size };
}

/** Keyword-lexicon intent of a petition: complaint, suggestion, consultation, report or thanks. */
export class IntentClassifier {
  private readonly index: KeywordIndex;
  private readonly present: Uint8Array;

  constructor(private readonly lexicon: IntentLexicon) {
    this.index = indexKeywords(lexicon);
    this.present = new Uint8Array(this.index.size);
  }

  static fromFile(path: string): IntentClassifier {
    let doc: unknown;
    try {
      doc = parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new RulesConfigError(
        path,
        '(file)',
        `cannot be read as YAML: ${(err as Error).message}`,
      );
    }
    return new IntentClassifier(parseIntentLexicon(doc, path));
  }

  /** Accepts original text or matchText (matchText is idempotent). */
  classify(text: string): IntentResult {
    return this.classifyMatchText(matchText(text));
  }

  /**
   * For callers that already hold the text's matchText form (the normalizer's judge): skips a
   * second normalisation pass over the whole text.
   */
  classifyMatchText(t: string): IntentResult {
    const { byFirstUnit, startsKeyword, scoring, always } = this.index;
    const present = this.present;
    present.fill(0);
    for (const id of always) present[id] = 1;
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (startsKeyword[c] !== 1) continue;
      for (const { word, id } of byFirstUnit.get(c) ?? []) {
        if (present[id] !== 1 && t.startsWith(word, i)) present[id] = 1;
      }
    }
    let best: Intent = this.lexicon.default;
    let bestScore = 0;
    let total = 0;
    // Same order of additions as summing weights keyword by keyword: identical floating-point sums.
    for (const { intent, ids, weights } of scoring) {
      let score = 0;
      for (let k = 0; k < ids.length; k++) if (present[ids[k] ?? 0] === 1) score += weights[k] ?? 0;
      total += score;
      if (score > bestScore) {
        best = intent;
        bestScore = score;
      }
    }
    return { intent: best, confidence: (bestScore + 1) / (total + 2) };
  }
}

export function defaultIntentsPath(): string {
  const candidates = [
    resolve(__dirname, '..', '..', '..', 'config', 'intents.yaml'),
    resolve('config', 'intents.yaml'),
  ];
  return candidates.find((p) => existsSync(p)) ?? candidates[0] ?? '';
}

let shared: IntentClassifier | undefined;

/** Intent with config/intents.yaml, loaded once. */
export function classifyIntent(text: string): IntentResult {
  shared ??= IntentClassifier.fromFile(defaultIntentsPath());
  return shared.classify(text);
}
