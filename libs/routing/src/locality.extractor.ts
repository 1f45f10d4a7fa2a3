import type { Gazetteer, PlaceMark, TownOption } from './gazetteer.config';
import { applyFold } from './script.fold';
import type { KeywordHit } from './keyword.automaton';

/** The locality (属地) responsible for a petition, as far as the text and the channel tell. */
export interface Locality {
  /** Official district or county name from the gazetteer, e.g. 涪陵区, 石柱土家族自治县. */
  readonly district: string | null;
  /** Official town or street name (街道/镇/乡) inside `district`, when the text names one. */
  readonly town: string | null;
  /** Division code (统计用区划代码) of the town (9 digits), else of the district (6), else null. */
  readonly code: string | null;
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
 * context cue (重庆, 家住 ...) or right before one of their own towns.
 *
 * Towns: a town name shared by several counties (东溪镇 in 綦江区 and 忠县) goes to the county
 * named right before it, else to the one county the text names elsewhere, else to the channel's
 * county, else it is left out rather than guessed. A town without its suffix (白石) counts only
 * right after its own county ("忠县白石"). A town right after an unknown 区/县/市 ("渌口区龙潭镇")
 * belongs to that other place and is ignored.
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

  // The town each town hit was resolved to, in text order.
  const towns: TownOption[] = [];
  const deferred: { options: readonly TownOption[]; at: number }[] = [];
  hits.forEach((hit, i) => {
    const mark = hit.payload;
    if (mark.kind === 'town') {
      const beside = countyBeside(hits, i, mark.options);
      if (beside !== undefined) {
        towns.push(beside);
        credit(beside.district, STRONG, hit.start, 'town');
        return;
      }
      // A bare name (白石) is an ordinary word unless its county stands right before it.
      if (mark.bare || inAnotherCounty(text, hits, i)) return;
      const [only] = mark.options;
      if (only !== undefined && !mark.needsContext) {
        towns.push(only);
        credit(only.district, STRONG, hit.start, 'town');
      } else {
        deferred.push({ options: mark.options, at: hit.start });
      }
    } else if (mark.kind === 'district') {
      if (mark.strength === 'strong') credit(mark.district, STRONG, hit.start, 'named');
      else if (mark.strength === 'weak') credit(mark.district, WEAK, hit.start, 'short');
      else if (hasContext(hits, i, mark.district)) credit(mark.district, WEAK, hit.start, 'short');
    }
  });
  // A town name several counties share: the county the text names elsewhere, else the channel's,
  // else it is left out rather than guessed.
  for (const { options, at } of deferred) {
    const named = options.filter((o) => tallies.has(o.district));
    const pool = named.length > 0 ? named : options;
    const chosen = named.length === 1 ? named[0] : pool.find((o) => o.district === channel);
    if (chosen === undefined) continue;
    towns.push(chosen);
    credit(chosen.district, STRONG, at, 'town');
  }

  const winner = pickWinner(tallies, channel);
  if (winner === undefined) {
    const district = channel === undefined ? undefined : gazetteer.config.districts[channel];
    return district === undefined
      ? { district: null, town: null, code: null, source: null, confidence: 0 }
      : {
          district: district.name,
          town: null,
          code: district.code,
          source: 'channel',
          confidence: CHANNEL_CONFIDENCE,
        };
  }
  const [index, tally] = winner;
  let total = 0;
  for (const t of tallies.values()) total += t.score;
  const town = towns.find((t) => t.district === index);
  return {
    district: gazetteer.config.districts[index]?.name ?? null,
    town: town?.town ?? null,
    code: town?.code ?? gazetteer.config.districts[index]?.code ?? null,
    source: 'text',
    confidence: Math.round((CONFIDENCE[tally.evidence] * tally.score * 100) / total) / 100,
  };
}

/** The option whose county is named right before the town ("忠县东溪镇", "綦江东溪"). */
function countyBeside(
  hits: readonly KeywordHit<PlaceMark>[],
  i: number,
  options: readonly TownOption[],
): TownOption | undefined {
  const hit = hits[i];
  const before = hits[i - 1];
  if (hit === undefined || before === undefined || before.end !== hit.start) return undefined;
  const mark = before.payload;
  if (mark.kind !== 'district') return undefined;
  return options.find((o) => o.district === mark.district);
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
