import { PRIORITIES } from './urgency.config';
import type { KeywordHit } from './keyword.automaton';
import type { Priority, UrgencyLexicon, UrgencyRole } from './urgency.config';

/** Why a flag was raised: the words of the text that matched, for the case worker to read. */
export interface UrgencyEvidence {
  readonly flag: string;
  /** The matched span of the text, gaps included (at most MAX_QUOTE characters). */
  readonly text: string;
  /** UTF-16 offsets of the span in the assessed text (end exclusive). */
  readonly start: number;
  readonly end: number;
}

export interface Urgency {
  readonly priority: Priority;
  /** Ids of the flags found, in lexicon order. */
  readonly flags: readonly string[];
  /** One span per flag, in the same order as `flags`: its first match that was not cancelled. */
  readonly evidence: readonly UrgencyEvidence[];
}

// Characters that end a sentence: a gap never crosses one, and a resolution must be in the same
// sentence as what it resolves. A clause (comma) ends the reach of a negation cue.
const SENTENCE_END = new Set([...'。！？!?；;\n'].map((c) => c.charCodeAt(0)));
const CLAUSE_END = new Set([...'，,、：:'].map((c) => c.charCodeAt(0)));
// "没有任何明显的安全隐患": a negation cue reaches this many characters ahead within its clause.
const NEGATION_REACH = 8;
// "拖欠的工资，经劳动监察大队协调，已经全部结清": a resolution reaches this far back.
const RESOLUTION_REACH = 40;
// A resolution cue right after one of these is itself negated ("至今没有得到解决").
const NEGATORS = new Set([...'没未不无尚'].map((c) => c.charCodeAt(0)));
const MAX_QUOTE = 60;

/**
 * Flags alarming content (急事急办) and derives a priority: the highest priority of any flag
 * found, `normal` when none.
 *
 * A term is a word or words in order with at most `maxGap` characters between them in the same
 * sentence ("拖欠…工资" matches "拖欠我们41万元工资"). A term of a `negatable` flag is cancelled
 * by a negation cue up to eight characters before it in the same clause ("并不存在任何安全隐患"); a
 * term of a `resolvable` flag by a resolution cue later in the same sentence ("工资已经结清了")
 * unless that cue is itself negated ("至今没有得到解决"). Irony and hypotheticals are not
 * understood. Life, self-harm and violence flags are neither in the shipped lexicon: a false alarm
 * costs a reader a minute, a missed one can cost more.
 */
export function assessUrgency(text: string, lexicon: UrgencyLexicon): Urgency {
  const hits = visibleHits(text, lexicon);
  const { flags } = lexicon.config;
  const found = new Array<UrgencyEvidence | undefined>(flags.length);
  let rank = 0;
  for (let i = 0; i < hits.length; i++) {
    const hit = hits[i] as KeywordHit<UrgencyRole>;
    for (const [f, t, p] of hit.payload.parts) {
      if (p !== 0 || found[f] !== undefined) continue;
      const flag = flags[f];
      const term = flag?.terms[t];
      if (flag === undefined || term === undefined) continue;
      const last = matchRest(text, hits, i, f, t, term.parts.length, lexicon.config.maxGap);
      if (last < 0) continue;
      if (flag.negatable && negatedBefore(text, hits, i)) continue;
      const end = (hits[last] as KeywordHit<UrgencyRole>).end;
      if (flag.resolvable && resolvedAfter(text, hits, last)) continue;
      found[f] = {
        flag: flag.id,
        text: text.slice(hit.start, Math.min(end, hit.start + MAX_QUOTE)),
        start: hit.start,
        end,
      };
      rank = Math.max(rank, PRIORITIES.indexOf(flag.priority));
    }
  }
  const evidence = found.filter((e): e is UrgencyEvidence => e !== undefined);
  return {
    priority: PRIORITIES[rank] ?? 'normal',
    flags: evidence.map((e) => e.flag),
    evidence,
  };
}

/**
 * Every hit, overlapping ones included (拖欠 and 工资 inside 拖欠农民工工资 serve 拖欠…工资 while
 * 农民工工资 is a term of its own), ordered by start, minus those inside a stop phrase.
 */
function visibleHits(text: string, lexicon: UrgencyLexicon): KeywordHit<UrgencyRole>[] {
  const all = lexicon.automaton.scanAll(text);
  const stops = all.filter((hit) => hit.payload.stop);
  const visible =
    stops.length === 0
      ? all
      : all.filter(
          (hit) =>
            hit.payload.stop ||
            !stops.some((stop) => stop.start <= hit.start && hit.end <= stop.end),
        );
  return visible.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Index of the hit completing term t of flag f from its first part at `first`, else -1. */
function matchRest(
  text: string,
  hits: readonly KeywordHit<UrgencyRole>[],
  first: number,
  f: number,
  t: number,
  parts: number,
  maxGap: number,
): number {
  let at = first;
  for (let p = 1; p < parts; p++) {
    const from = (hits[at] as KeywordHit<UrgencyRole>).end;
    let next = -1;
    for (let j = at + 1; j < hits.length; j++) {
      const hit = hits[j] as KeywordHit<UrgencyRole>;
      if (hit.start < from) continue;
      if (hit.start - from > maxGap || crosses(text, from, hit.start, SENTENCE_END)) break;
      if (hit.payload.parts.some(([ff, tt, pp]) => ff === f && tt === t && pp === p)) {
        next = j;
        break;
      }
    }
    if (next < 0) return -1;
    at = next;
  }
  return at;
}

function negatedBefore(text: string, hits: readonly KeywordHit<UrgencyRole>[], i: number): boolean {
  const start = (hits[i] as KeywordHit<UrgencyRole>).start;
  for (let j = i - 1; j >= 0; j--) {
    const cue = hits[j] as KeywordHit<UrgencyRole>;
    // A cue inside or across the term is part of it (无 in 无人照顾), not its negation.
    if (cue.end > start) continue;
    if (start - cue.end > NEGATION_REACH) return false;
    if (crosses(text, cue.end, start, CLAUSE_END) || crosses(text, cue.end, start, SENTENCE_END))
      return false;
    if (cue.payload.negation) return true;
  }
  return false;
}

function resolvedAfter(
  text: string,
  hits: readonly KeywordHit<UrgencyRole>[],
  last: number,
): boolean {
  const end = (hits[last] as KeywordHit<UrgencyRole>).end;
  for (let j = last + 1; j < hits.length; j++) {
    const cue = hits[j] as KeywordHit<UrgencyRole>;
    if (cue.start < end) continue;
    if (cue.start - end > RESOLUTION_REACH || crosses(text, end, cue.start, SENTENCE_END))
      return false;
    if (!cue.payload.resolution) continue;
    const negated =
      NEGATORS.has(text.charCodeAt(cue.start - 1)) || NEGATORS.has(text.charCodeAt(cue.start - 2));
    if (!negated) return true;
  }
  return false;
}

function crosses(text: string, from: number, to: number, stops: ReadonlySet<number>): boolean {
  for (let k = from; k < to; k++) if (stops.has(text.charCodeAt(k))) return true;
  return false;
}
