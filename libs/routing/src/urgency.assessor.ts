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
const SENTENCE_END = codeUnitSet('。！？!?；;\n');
const CLAUSE_END = codeUnitSet('，,、：:');
// "没有任何明显的安全隐患": a negation cue reaches this many characters ahead within its clause.
const NEGATION_REACH = 8;
// "拖欠的工资，经劳动监察大队协调，已经全部结清": a resolution reaches this far back.
const RESOLUTION_REACH = 40;
// A resolution cue right after one of these is itself negated ("至今没有得到解决").
const NEGATORS = codeUnitSet('没未不无尚');
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
  const { flags, maxGap } = lexicon.config;
  const found = new Array<UrgencyEvidence | undefined>(flags.length);
  let rank = 0;
  // Per term part (slot): where the latest chain of the term's earlier parts reaching this part
  // ends, and the index of that chain's first hit. The latest chain is always the best one to
  // extend (the smallest gap), so one pass over the hits finds every term: linear in the hits
  // however a hostile text repeats first parts ("拖欠拖欠拖欠…" took seconds when every first part
  // searched ahead on its own).
  const { chainEnd, chainFirst, chainStamp } = chainState(lexicon);
  // A slot's entries are valid only when stamped with this call's number: no clearing per call.
  const stamp = nextStamp++;
  let sentenceEnd = -1;
  let scanned = 0;
  for (let i = 0; i < hits.length; i++) {
    const hit = hits[i] as KeywordHit<UrgencyRole>;
    for (; scanned < hit.start; scanned++)
      if (SENTENCE_END[text.charCodeAt(scanned)] === 1) sentenceEnd = scanned;
    for (const [f, , p, slot, parts] of hit.payload.parts) {
      const flag = flags[f];
      if (flag === undefined || found[f] !== undefined) continue;
      let first = i;
      if (p > 0) {
        if (chainStamp[slot - 1] !== stamp) continue;
        const before = chainEnd[slot - 1] ?? 0;
        // A gap: after the previous part, at most maxGap characters, no sentence end inside.
        if (hit.start < before || hit.start - before > maxGap || sentenceEnd >= before) continue;
        first = chainFirst[slot - 1] ?? i;
      }
      if (p < parts - 1) {
        chainStamp[slot] = stamp;
        chainEnd[slot] = hit.end;
        chainFirst[slot] = first;
        continue;
      }
      if (flag.negatable && negatedBefore(text, hits, first)) continue;
      if (flag.resolvable && resolvedAfter(text, hits, i)) continue;
      const start = (hits[first] as KeywordHit<UrgencyRole>).start;
      found[f] = {
        flag: flag.id,
        text: text.slice(start, Math.min(hit.end, start + MAX_QUOTE)),
        start,
        end: hit.end,
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

interface ChainState {
  chainEnd: Int32Array;
  chainFirst: Int32Array;
  chainStamp: Float64Array;
}

// Allocating and clearing the state per message cost more than the matching itself; it is kept
// per lexicon instead (one thread, and assessUrgency never yields, so calls cannot interleave).
const chainStates = new WeakMap<UrgencyLexicon, ChainState>();
let nextStamp = 1;

function chainState(lexicon: UrgencyLexicon): ChainState {
  let state = chainStates.get(lexicon);
  if (state === undefined) {
    state = {
      chainEnd: new Int32Array(lexicon.slots),
      chainFirst: new Int32Array(lexicon.slots),
      chainStamp: new Float64Array(lexicon.slots),
    };
    chainStates.set(lexicon, state);
  }
  return state;
}

/**
 * Every hit, overlapping ones included (拖欠 and 工资 inside 拖欠农民工工资 serve 拖欠…工资 while
 * 农民工工资 is a term of its own), ordered by start, minus those inside a stop phrase.
 */
function visibleHits(text: string, lexicon: UrgencyLexicon): KeywordHit<UrgencyRole>[] {
  const all = lexicon.automaton.scanAll(text);
  all.sort((a, b) => a.start - b.start || b.end - a.end);
  // One sweep, not hits × stops: a text made of stop phrases must not take quadratic time. A hit
  // lies inside a stop phrase exactly when a stop starting at or before it reaches its end.
  let stopEnd = -1;
  const visible: KeywordHit<UrgencyRole>[] = [];
  for (const hit of all) {
    if (hit.payload.stop) stopEnd = Math.max(stopEnd, hit.end);
    else if (hit.end <= stopEnd) continue;
    visible.push(hit);
  }
  return visible;
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
      NEGATORS[text.charCodeAt(cue.start - 1)] === 1 ||
      NEGATORS[text.charCodeAt(cue.start - 2)] === 1;
    if (!negated) return true;
  }
  return false;
}

function crosses(text: string, from: number, to: number, stops: Uint8Array): boolean {
  for (let k = from; k < to; k++) if (stops[text.charCodeAt(k)] === 1) return true;
  return false;
}

/** A membership table over UTF-16 code units: cheaper than a Set on every character of a text. */
function codeUnitSet(chars: string): Uint8Array {
  const table = new Uint8Array(0x10000);
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1;
  return table;
}
