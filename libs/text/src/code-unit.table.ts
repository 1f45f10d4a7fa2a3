import { CONTROL, KEPT_PUNCTUATION } from './body.reference';

/**
 * What normalizeBody does to each UTF-16 code unit, so that the usual text can be normalised in
 * one pass of table lookups instead of regex passes plus String.prototype.normalize('NFKC').
 *
 * NFKC of a whole string equals the concatenation of the NFKC of its characters when no
 * character can interact with its neighbours: its decomposition starts with a starter that is
 * not the second half of any canonical composition, and its NFKC result contains no combining
 * mark, no composition second half (Hangul vowel/trailing jamo, Indic length marks) and no
 * surrogate. Such units are INDEPENDENT; every other unit is SLOW and sends the text to the
 * reference implementation. The tests check this claim on every pair that matters.
 */
export const UnitKind = {
  /** Needs the real String.normalize (combining marks, jamo, surrogates ...). */
  Slow: 0,
  /** NFKC gives one code unit: `single[c]`. */
  Single: 1,
  /** NFKC gives several code units (… → ..., ① → 1): `multi.get(c)`. */
  Multi: 2,
  /** Removed before anything else (C0/C1 controls, zero-width and bidi marks, BOM ...). */
  Removed: 3,
  /** Whitespace that is not a line break (NFKC turns U+3000 and NBSP into a space). */
  Space: 4,
  /** A line break: \n, \r, U+2028, U+2029. */
  Newline: 5,
  /** < and &, which may start HTML: the text is checked with looksLikeHtml once. NFKC keeps them. */
  Markup: 6,
} as const;

export interface CodeUnitTable {
  readonly kind: Uint8Array;
  /** The NFKC result of a Single unit; kept punctuation (，！？ ...) maps to itself. */
  readonly single: Uint16Array;
  readonly multi: ReadonlyMap<number, string>;
}

const MARK = /^\p{M}$/u;
const WHITESPACE = /^\s$/;
const NEWLINES = new Set([0x0a, 0x0d, 0x2028, 0x2029]);

function isSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdfff;
}

/** Units that can attach to what precedes them: marks and second halves of compositions. */
function attachingUnits(): Uint8Array {
  const attaching = new Uint8Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    if (isSurrogate(c)) {
      attaching[c] = 1;
      continue;
    }
    const ch = String.fromCharCode(c);
    if (MARK.test(ch)) attaching[c] = 1;
    // Every unit after the first of a canonical decomposition (가 = ᄀ + ᅡ, é = e + ◌́).
    const nfd = ch.normalize('NFD');
    for (let i = 1; i < nfd.length; i++) attaching[nfd.charCodeAt(i)] = 1;
  }
  return attaching;
}

function buildCodeUnitTable(): CodeUnitTable {
  const control = new RegExp(CONTROL.source);
  const kept = new Set([...KEPT_PUNCTUATION].map((c) => c.charCodeAt(0)));
  const attaching = attachingUnits();
  const kind = new Uint8Array(0x10000);
  const single = new Uint16Array(0x10000);
  const multi = new Map<number, string>();
  for (let c = 0; c < 0x10000; c++) {
    const ch = String.fromCharCode(c);
    if (control.test(ch)) {
      kind[c] = UnitKind.Removed;
      continue;
    }
    if (NEWLINES.has(c)) {
      kind[c] = UnitKind.Newline;
      continue;
    }
    if (c === 0x3c || c === 0x26) {
      kind[c] = UnitKind.Markup;
      single[c] = c;
      continue;
    }
    if (kept.has(c)) {
      kind[c] = UnitKind.Single;
      single[c] = c;
      continue;
    }
    if (isSurrogate(c) || attaching[ch.normalize('NFKD').charCodeAt(0)] === 1) continue;
    const nfkc = ch.normalize('NFKC');
    let independent = true;
    for (let i = 0; i < nfkc.length; i++) {
      const u = nfkc.charCodeAt(i);
      if (
        attaching[u] === 1 ||
        NEWLINES.has(u) ||
        (nfkc.length > 1 && WHITESPACE.test(nfkc[i] ?? ''))
      )
        independent = false;
    }
    if (!independent) continue;
    if (nfkc.length === 1 && WHITESPACE.test(nfkc)) kind[c] = UnitKind.Space;
    else if (nfkc.length === 1) {
      kind[c] = UnitKind.Single;
      single[c] = nfkc.charCodeAt(0);
    } else {
      kind[c] = UnitKind.Multi;
      multi.set(c, nfkc);
    }
  }
  return { kind, single, multi };
}

export const codeUnitTable: CodeUnitTable = buildCodeUnitTable();
