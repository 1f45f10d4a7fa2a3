import { conversionTables } from './chinese-script.tables';
import { codeUnitTable, UnitKind } from './code-unit.table';
import { contentUnits, keepLettersAndDigits } from './content-chars.table';
import { MASK_UNITS } from './match-text.reference';

/**
 * What matchText does to each UTF-16 code unit, composed once: NFKC (codeUnitTable), then
 * Traditional → Simplified (charMap), then lower-casing, then "letters and digits only". Units
 * whose outcome depends on their neighbours are marked so that matchText can treat them apart.
 */
export const MatchKind = {
  /** Needs the reference implementation (see codeUnitTable), or maps to Σ (final-sigma rule). */
  Slow: 0,
  /** Becomes one letter or digit: `unit[c]`. */
  Keep: 1,
  /** Becomes nothing that matchText keeps (punctuation, spaces, symbols, controls). */
  Drop: 2,
  /** Becomes several units: `multi.get(c)` (already filtered; ① → 1, ㎡ → m2). */
  Multi: 3,
  /** Its NFKC form starts a Traditional phrase (乾隆, 後面): check the phrases, else `unit[c]`. */
  Phrase: 4,
  /** Becomes *, x or ×, which may be part of a mask (138****1234): the text takes the mask path. */
  Mask: 5,
  /** < or &: the text may be HTML. Otherwise dropped. */
  Markup: 6,
  /**
   * Kept as it is (most Han characters, lower-case letters, digits): the loop then reads only
   * this small table, not `unit`, which keeps it in the L1 cache.
   */
  KeepSame: 7,
} as const;

export interface Phrase {
  readonly from: string;
  /** The replacement as matchText keeps it (lower-cased, letters and digits only). */
  readonly kept: string;
}

export interface MatchTables {
  readonly kind: Uint8Array;
  /** Kept unit for Keep, fallback kept unit (0: dropped) for Phrase. */
  readonly unit: Uint16Array;
  readonly multi: ReadonlyMap<number, string>;
  /** Phrases by the code unit they start with, longest first (toSimplified's order). */
  readonly phrases: ReadonlyMap<number, readonly Phrase[]>;
}

const SIGMA = 0x3a3;

function buildMatchTables(): MatchTables {
  const { charMap, phrases: phraseLists, phraseStart } = conversionTables;
  const inPhrase = new Uint8Array(0x10000);
  const phrases = new Map<number, Phrase[]>();
  for (const list of phraseLists.values()) {
    for (const { from, to } of list) {
      // matchText's pair filter reads the second unit; a one-unit phrase would slip through it.
      if (from.length < 2) throw new Error(`one-character phrase ${from} in the T→S dictionary`);
      for (let j = 0; j < from.length; j++) inPhrase[from.charCodeAt(j)] = 1;
      const first = from.charCodeAt(0);
      const kept = keepLettersAndDigits(to.toLowerCase());
      phrases.set(first, [...(phrases.get(first) ?? []), { from, kept }]);
    }
  }
  const isMask = (s: string): boolean => MASK_UNITS.some((u) => s.includes(String.fromCharCode(u)));
  const simplifyUnits = (s: string): string =>
    s.replace(/[^]/g, (ch) => String.fromCharCode(charMap[ch.charCodeAt(0)] || ch.charCodeAt(0)));

  const kind = new Uint8Array(0x10000);
  const unit = new Uint16Array(0x10000);
  const multi = new Map<number, string>();
  for (let c = 0; c < 0x10000; c++) {
    const k = codeUnitTable.kind[c];
    if (k === UnitKind.Removed || k === UnitKind.Space || k === UnitKind.Newline) {
      kind[c] = MatchKind.Drop;
      continue;
    }
    if (k === UnitKind.Markup) {
      kind[c] = MatchKind.Markup;
      continue;
    }
    let nfkc: string;
    if (k === UnitKind.Single) nfkc = String.fromCharCode(codeUnitTable.single[c] ?? c);
    else if (k === UnitKind.Multi) nfkc = codeUnitTable.multi.get(c) ?? '';
    else continue;
    // A multi-unit form that a phrase could start or run into would need the phrase scan inside it.
    if (nfkc.length > 1 && [...nfkc].some((ch) => inPhrase[ch.charCodeAt(0)] === 1)) continue;
    const simplified = simplifyUnits(nfkc);
    if (simplified.includes(String.fromCharCode(SIGMA))) continue;
    const lowered = simplified.toLowerCase();
    if (isMask(lowered)) {
      kind[c] = MatchKind.Mask;
      continue;
    }
    const kept = keepLettersAndDigits(lowered);
    if (nfkc.length === 1 && phraseStart[nfkc.charCodeAt(0)] === 1) {
      kind[c] = MatchKind.Phrase;
      unit[c] = kept.length === 1 ? kept.charCodeAt(0) : 0;
      if (kept.length > 1) kind[c] = MatchKind.Slow;
    } else if (kept.length === 0) kind[c] = MatchKind.Drop;
    else if (kept.length === 1 && contentUnits[kept.charCodeAt(0)] === 1) {
      kind[c] = kept.charCodeAt(0) === c ? MatchKind.KeepSame : MatchKind.Keep;
      unit[c] = kept.charCodeAt(0);
    } else {
      kind[c] = MatchKind.Multi;
      multi.set(c, kept);
    }
  }
  return { kind, unit, multi, phrases };
}

export const matchTables: MatchTables = buildMatchTables();
