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
   * 0..1. From the text: 0.9 when the winning district was named unambiguously (full name, alias,
   * town), 0.6 when only by its bare short name, times the winner's share of all place mentions.
   * From the channel: 0.5. Nothing: 0.
   */
  readonly confidence: number;
}

// Scores per mention: a full name, alias or town is a clearer statement than a bare short name.
const STRONG = 2;
const WEAK = 1;
const TEXT_STRONG_CONFIDENCE = 0.9;
const TEXT_WEAK_CONFIDENCE = 0.6;
const CHANNEL_CONFIDENCE = 0.5;

interface Tally {
  score: number;
  first: number;
  strong: boolean;
}

/**
 * Finds the district (and town) a petition concerns.
 *
 * Rule when the text names several districts: each mention scores 2 (full name, alias or town)
 * or 1 (bare short name); the district with the highest score wins; a tie goes to the channel's
 * county if it is among the tied, else to the district mentioned first. Any mention in the text
 * beats the channel's county. Short names marked `shortNeedsContext` count only right after a
 * context cue (重庆, 家住 ...) or right before one of their own towns. A town name shared by several
 * districts counts only when exactly one of them is otherwise mentioned or is the channel's county.
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
  const credit = (district: number, score: number, at: number, strong: boolean): void => {
    const tally = tallies.get(district);
    if (tally === undefined) tallies.set(district, { score, first: at, strong });
    else {
      tally.score += score;
      tally.strong ||= strong;
    }
  };

  const ambiguousTowns: KeywordHit<PlaceMark>[] = [];
  hits.forEach((hit, i) => {
    const mark = hit.payload;
    if (mark.kind === 'town') {
      const [only, ...others] = mark.options;
      if (only !== undefined && others.length === 0) credit(only.district, STRONG, hit.start, true);
      else ambiguousTowns.push(hit);
    } else if (mark.kind === 'district') {
      if (mark.strength === 'strong') credit(mark.district, STRONG, hit.start, true);
      else if (mark.strength === 'weak') credit(mark.district, WEAK, hit.start, false);
      else if (hasContext(hits, i, mark.district)) credit(mark.district, WEAK, hit.start, false);
    }
  });
  for (const hit of ambiguousTowns) {
    if (hit.payload.kind !== 'town') continue;
    const known = hit.payload.options.filter(
      (o) => tallies.has(o.district) || o.district === channel,
    );
    const [only, ...others] = known;
    if (only !== undefined && others.length === 0) credit(only.district, STRONG, hit.start, true);
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
  const base = tally.strong ? TEXT_STRONG_CONFIDENCE : TEXT_WEAK_CONFIDENCE;
  return {
    district: gazetteer.config.districts[index]?.name ?? null,
    town: firstTown(hits, index),
    source: 'text',
    confidence: Math.round((base * tally.score * 100) / total) / 100,
  };
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
