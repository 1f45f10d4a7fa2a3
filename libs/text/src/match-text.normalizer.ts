import { normalizeBody } from './body.normalizer';
import { codeUnitTable, UnitKind } from './code-unit.table';
import { removeGreetingsOnce } from './greeting.remover';
import { looksLikeHtml } from './html.stripper';
import { matchTextOfLowered, matchTextReference } from './match-text.reference';
import { MatchKind, matchTables } from './match-text.tables';
import { toSimplified } from './simplified.converter';

const { kind, unit, multi, phrases } = matchTables;
const nfkcKind = codeUnitTable.kind;
const nfkcSingle = codeUnitTable.single;
// Local copies: V8 folds these into the loop, not property loads from another module's export.
const KEEP_SAME = MatchKind.KeepSame;
const KEEP = MatchKind.Keep;
const DROP = MatchKind.Drop;
const PHRASE = MatchKind.Phrase;
const MULTI = MatchKind.Multi;
const MARKUP = MatchKind.Markup;
const MASK = MatchKind.Mask;

// Output code units of the current call; grown when a text is longer. Reused across calls so that
// a message costs no allocation but its result string.
let buffer = new Uint16Array(4096);
let bufferBytes = new Uint8Array(buffer.buffer);
// ~4x faster than String.fromCharCode.apply on a typed array. The output never holds a lone
// surrogate (surrogates take the reference path), so decoding cannot replace anything.
const utf16 = new TextDecoder('utf-16le', { ignoreBOM: true });

// Phrase-start characters (不, 一, 有 ...) are common, phrases are rare: a bitset of the
// (first, second) unit pairs of all phrases, hashed into 8 kB so that it stays in cache, rules out
// almost every position with one read. Every phrase has at least two units (checked when the
// tables are built).
const pairBits = new Uint32Array(2048);
function pairSlot(first: number, second: number): number {
  return (first * 31 + second) & 0xffff;
}
for (const [first, list] of phrases) {
  for (const { from } of list) {
    const slot = pairSlot(first, from.charCodeAt(1));
    pairBits[slot >>> 5] = (pairBits[slot >>> 5] ?? 0) | (1 << (slot & 31));
  }
}

/** False when no phrase starting with `first` can match at text[at] (the usual case). */
function mayStartPhrase(text: string, at: number, first: number): boolean {
  let i = at + 1;
  let c = text.charCodeAt(i);
  while (nfkcKind[c] === UnitKind.Removed) c = text.charCodeAt(++i);
  if (i >= text.length) return false;
  const slot = pairSlot(first, nfkcSingle[c] ?? 0);
  return ((pairBits[slot >>> 5] ?? 0) & (1 << (slot & 31))) !== 0;
}

/**
 * Where the phrase `from` ends if the NFKC form of text[at...] starts with it, else -1. Units
 * that normalizeBody removes are skipped; anything that is not a single NFKC unit cannot be part
 * of a phrase (phrases are Han characters only).
 */
function phraseEnd(text: string, at: number, from: string): number {
  let i = at + 1;
  for (let j = 1; j < from.length; j++) {
    let c = text.charCodeAt(i);
    while (nfkcKind[c] === UnitKind.Removed) c = text.charCodeAt(++i);
    if (i >= text.length || nfkcKind[c] !== UnitKind.Single) return -1;
    if (nfkcSingle[c] !== from.charCodeAt(j)) return -1;
    i++;
  }
  return i;
}

function removeGreetingsToFixedPoint(kept: string): string {
  let s = kept;
  for (;;) {
    const next = removeGreetingsOnce(s);
    if (next === s) return s;
    s = next;
  }
}

/**
 * The text compared for matching, dedup and classification: normalizeBody, Traditional →
 * Simplified, lower-case, masks (and their labels) and greetings/sign-offs removed, then every
 * character that is not a letter or a digit removed. Idempotent:
 * `matchText(matchText(t)) === matchText(t)`.
 *
 * One pass over the code units with the composed table (matchTables) writes the kept units;
 * greetings are removed from that. Texts that may hold HTML or a mask (*, x, ×), and rare code
 * units, take the step-by-step path, whose result is the definition (matchTextReference).
 */
export function matchText(text: string): string {
  const n = text.length;
  // Every unit yields at most a few kept units; Multi forms are at most 18 units long (ﷺ).
  if (buffer.length < n * 18) {
    buffer = new Uint16Array(n * 18);
    bufferBytes = new Uint8Array(buffer.buffer);
  }
  const out = buffer;
  let length = 0;
  let notHtml = false;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const k = kind[c];
    if (k === KEEP_SAME) {
      out[length++] = c;
      i++;
    } else if (k === KEEP) {
      out[length++] = unit[c] ?? 0;
      i++;
    } else if (k === DROP) {
      i++;
    } else if (k === PHRASE) {
      const first = nfkcSingle[c] ?? 0;
      let end = -1;
      let kept = '';
      if (mayStartPhrase(text, i, first)) {
        const list = phrases.get(first) ?? [];
        for (const phrase of list) {
          end = phraseEnd(text, i, phrase.from);
          if (end >= 0) {
            kept = phrase.kept;
            break;
          }
        }
      }
      if (end < 0) {
        const u = unit[c] ?? 0;
        if (u !== 0) out[length++] = u;
        i++;
      } else {
        for (let j = 0; j < kept.length; j++) out[length++] = kept.charCodeAt(j);
        i = end;
      }
    } else if (k === MULTI) {
      const kept = multi.get(c) ?? '';
      for (let j = 0; j < kept.length; j++) out[length++] = kept.charCodeAt(j);
      i++;
    } else if (k === MARKUP && (notHtml || !looksLikeHtml(text))) {
      notHtml = true;
      i++;
    } else if (k === MASK) {
      // The mask regex needs the text with its spaces and punctuation (电话：138****1234).
      return matchTextOfLowered(
        toSimplified(normalizeBody(text)).toLowerCase(),
        removeGreetingsOnce,
      );
    } else {
      return matchTextReference(text);
    }
  }
  return removeGreetingsToFixedPoint(utf16.decode(bufferBytes.subarray(0, length * 2)));
}
