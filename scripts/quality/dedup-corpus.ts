/**
 * The real public messages the dedup quality parts judge, read at run time from ../shared/data
 * (never copied): messages_with_likes and messages_unlabeled, exact copies counted once.
 */
import { join } from 'node:path';
import { Converter } from 'opencc-js';
import { loadMatterLexicon, type MatterLexicon } from '@app/routing';
import { readJsonl } from '@app/testing';

export interface Message {
  id: string;
  title?: string;
  text?: string;
  user?: string;
  time_iso?: string;
}

export interface Doc {
  key: string;
  id: string;
  raw: string;
  match: string;
  user: string;
  at: number;
  locality: string | null;
}

export const toTraditional = Converter({ from: 'cn', to: 'tw' });
const toSimplified = Converter({ from: 'tw', to: 'cn' });

/** Stand-in for @app/text's matchText: tw→cn, NFKC, lower-case, letters and digits only. */
export function matchText(raw: string): string {
  return toSimplified(raw.normalize('NFKC'))
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** The dataset's anonymised districts/counties (A1区 … K9县); null when a message names none. */
export function localityOf(raw: string): string | null {
  return /[A-K]\d{1,2}[区县]/u.exec(raw)?.[0] ?? null;
}

export function loadCorpus(): Doc[] {
  const seen = new Set<string>();
  const docs: Doc[] = [];
  for (const file of ['messages_with_likes.jsonl', 'messages_unlabeled.jsonl']) {
    for (const m of readJsonl<Message>(file)) {
      const raw = `${m.title ?? ''}\n${m.text ?? ''}`;
      const match = matchText(raw);
      // Exact duplicates (exact_duplicate_groups.jsonl and cross-file copies) are one message here.
      if (match.length === 0 || seen.has(match)) continue;
      seen.add(match);
      const at = Date.parse(`${m.time_iso ?? '2019-01-01T00:00:00'}Z`);
      docs.push({
        key: `${file}:${m.id}`,
        id: m.id,
        raw,
        match,
        user: m.user ?? '',
        at: Number.isFinite(at) ? at : 0,
        locality: localityOf(raw),
      });
    }
  }
  return docs;
}

/**
 * The shipped matter lexicon (config/matters.yaml), as the normalizer loads it; null with
 * DEDUP_QUALITY_MATTERS=off (entity-key joins then need no common matter, for comparison).
 */
export function shippedMatters(): MatterLexicon | null {
  if (process.env.DEDUP_QUALITY_MATTERS === 'off') return null;
  return loadMatterLexicon(join(__dirname, '..', '..', 'config', 'matters.yaml'));
}
