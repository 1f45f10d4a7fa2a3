import type { Gazetteer, PlaceMark } from './gazetteer.config';
import { applyFold } from './script.fold';
import type { KeywordHit } from './keyword.automaton';

/** The locality (属地) responsible for a petition, as far as the text and the channel tell. */
export interface Locality {
  /** Official district or county name from the gazetteer, e.g. 涪陵区, 石柱土家族自治县. */
  readonly district: string | null;
  /** Official town or street name (街道/镇/乡) inside `district`, when the text names one. */
  readonly town: string | null;
  readonly source: 'text' | 'channel' | null;
  /**
   * 0..1. From the text: 0.9 when the winning district is named by its full name or an alias,
   * 0.7 when only one of its towns is, 0.6 when only its bare short name is; times the winner's
   * share of all place mentions.
   * From the channel: 0.5. Nothing: 0.
   */
  readonly confidence: number;
}

// Scores per mention: a full name, alias or town is a clearer statement than a bare short name.
const STRONG = 2;
const WEAK = 1;
// Town names repeat across provinces, so a town alone is weaker evidence than a district name.
const CONFIDENCE = { named: 0.9, town: 0.7, short: 0.6 } as const;
const CHANNEL_CONFIDENCE = 0.5;

type Evidence = keyof typeof CONFIDENCE;
const EVIDENCE_RANK: Record<Evidence, number> = { short: 0, town: 1, named: 2 };

interface Tally {
  score: number;
  first: number;
  /** The strongest kind of mention seen for this district. */
  evidence: Evidence;
}

/**
 * Finds the district (and town) a petition concerns.
 *
 * Rule when the text names several districts: each mention scores 2 (full name, alias or town)
 * or 1 (bare short name); the district with the highest score wins; a tie goes to the channel's
 * county if it is among the tied, else to the district mentioned first. Any mention in the text
 * beats the channel's county. Short names marked `shortNeedsContext` count only right after a
 * context cue (重庆, 家住 ...) or right before one of their own towns. A town name shared by several
 * districts counts only when exactly one of them is otherwise mentioned or is the channel's county;
 * a town right after an unknown 区/县/市 ("渌口区龙潭镇") belongs to that other place and is ignored.
 *
 * @param channelCounty the county of the hotline number or leader mailbox that received the item
 *   (any spelling the gazetteer knows: 忠县, 开县, 石柱县 ...); unknown spellings are ignored.
 */
export function extractLocality(
  text: string,
  channelCounty: string | null,
  gazetteer: Gazetteer,
): Locality {
  const channel =
    channelCounty === null
      ? undefined
      : gazetteer.byName.get(applyFold(gazetteer.fold, channelCounty.trim()));
  const hits = gazetteer.automaton.scan(text);
  const tallies = new Map<number, Tally>();
  const credit = (district: number, score: number, at: number, evidence: Evidence): void => {
    const tally = tallies.get(district);
    if (tally === undefined) tallies.set(district, { score, first: at, evidence });
    else {
      tally.score += score;
      if (EVIDENCE_RANK[evidence] > EVIDENCE_RANK[tally.evidence]) tally.evidence = evidence;
    }
  };

  const ambiguousTowns: KeywordHit<PlaceMark>[] = [];
  hits.forEach((hit, i) => {
    const mark = hit.payload;
    if (mark.kind === 'town') {
      if (inAnotherCounty(text, hits, i)) return;
      const [only, ...others] = mark.options;
      if (only !== undefined && others.length === 0)
        credit(only.district, STRONG, hit.start, 'town');
      else ambiguousTowns.push(hit);
    } else if (mark.kind === 'district') {
      if (mark.strength === 'strong') credit(mark.district, STRONG, hit.start, 'named');
      else if (mark.strength === 'weak') credit(mark.district, WEAK, hit.start, 'short');
      else if (hasContext(hits, i, mark.district)) credit(mark.district, WEAK, hit.start, 'short');
    }
  });
  for (const hit of ambiguousTowns) {
    if (hit.payload.kind !== 'town') continue;
    const known = hit.payload.options.filter(
      (o) => tallies.has(o.district) || o.district === channel,
    );
    const [only, ...others] = known;
    if (only !== undefined && others.length === 0) credit(only.district, STRONG, hit.start, 'town');
  }

  const winner = pickWinner(tallies, channel);
  if (winner === undefined) {
    const district = channel === undefined ? undefined : gazetteer.config.districts[channel];
    return district === undefined
      ? { district: null, town: null, source: null, confidence: 0 }
      : { district: district.name, town: null, source: 'channel', confidence: CHANNEL_CONFIDENCE };
  }
  const [index, tally] = winner;
  let total = 0;
  for (const t of tallies.values()) total += t.score;
  return {
    district: gazetteer.config.districts[index]?.name ?? null,
    town: firstTown(hits, index),
    source: 'text',
    confidence: Math.round((CONFIDENCE[tally.evidence] * tally.score * 100) / total) / 100,
  };
}

// Town names repeat across China (龙潭镇, 白沙镇, 双江镇): one right after a county or district
// name the gazetteer does not know ("渌口区龙潭镇", "J6县龙潭镇") is that other county's town.
const COUNTY_SUFFIXES = new Set([...'区县市區縣'].map((c) => c.charCodeAt(0)));
const SPACES = new Set([0x20, 0x09, 0x0a, 0x0d, 0x3000, 0xa0]);

function inAnotherCounty(text: string, hits: readonly KeywordHit<PlaceMark>[], i: number): boolean {
  const hit = hits[i];
  if (hit === undefined) return false;
  let at = hit.start - 1;
  while (at >= 0 && SPACES.has(text.charCodeAt(at))) at--;
  if (at < 0 || !COUNTY_SUFFIXES.has(text.charCodeAt(at))) return false;
  // The suffix may end a district we know ("涪陵区李渡街道") or a cue ("重庆市李渡街道").
  const before = hits[i - 1];
  const known =
    before?.end === at + 1 && (before.payload.kind === 'district' || before.payload.kind === 'cue');
  return !known;
}

function hasContext(hits: readonly KeywordHit<PlaceMark>[], i: number, district: number): boolean {
  const hit = hits[i];
  const before = hits[i - 1];
  const after = hits[i + 1];
  if (hit === undefined) return false;
  if (before !== undefined && before.payload.kind === 'cue' && before.end === hit.start)
    return true;
  return (
    after !== undefined &&
    after.start === hit.end &&
    after.payload.kind === 'town' &&
    after.payload.options.some((option) => option.district === district)
  );
}

function pickWinner(
  tallies: ReadonlyMap<number, Tally>,
  channel: number | undefined,
): [number, Tally] | undefined {
  let best: [number, Tally] | undefined;
  for (const entry of tallies) {
    const [index, tally] = entry;
    if (best === undefined) {
      best = entry;
      continue;
    }
    const [bestIndex, bestTally] = best;
    if (tally.score > bestTally.score) best = entry;
    else if (tally.score === bestTally.score && bestIndex !== channel) {
      if (index === channel || tally.first < bestTally.first) best = entry;
    }
  }
  return best;
}

function firstTown(hits: readonly KeywordHit<PlaceMark>[], district: number): string | null {
  for (const hit of hits) {
    if (hit.payload.kind !== 'town') continue;
    const option = hit.payload.options.find((o) => o.district === district);
    if (option !== undefined) return option.town;
  }
  return null;
}
