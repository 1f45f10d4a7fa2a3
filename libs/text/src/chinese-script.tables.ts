import { Locale } from 'opencc-js';
import type { DictLike } from 'opencc-js';

/**
 * Lookup tables built once from opencc-js's own dictionaries, so that converting is a
 * per-code-unit array lookup instead of opencc's trie walk (measured at ~14k messages/s of 300
 * chars: too slow for the normalizer's budget).
 *
 * - `charMap[c]`: the Simplified replacement of code unit `c` (HK/TW variant → OpenCC standard
 *   Traditional → Simplified), or 0 when the char is unchanged. Astral chars use `astralMap`.
 * - `phrases`: TSPhrases exceptions (乾隆 stays 乾隆 while 乾燥 → 干燥), keyed by first char,
 *   longest first, plus each target mapped to itself so that conversion is idempotent.
 * - `convertible[c]`: 1 when conversion can change `c`; text without one is returned as is.
 */
export interface ConversionTables {
  charMap: Uint32Array;
  astralMap: Map<string, string>;
  phrases: Map<string, { from: string; to: string }[]>;
  phraseStart: Uint8Array;
  convertible: Uint8Array;
}

/** `kind[c]`: 1 = used only in Traditional, 2 = used only in Simplified, 0 = shared/other. */
export const TRADITIONAL_ONLY = 1;
export const SIMPLIFIED_ONLY = 2;

type Pair = [string, string];

function parseDict(dict: DictLike | undefined): Pair[] {
  if (dict === undefined) return [];
  if (typeof dict !== 'string') return dict.map(([k, v]) => [k, v]);
  const out: Pair[] = [];
  for (const entry of dict.split('|')) {
    const [key, value] = entry.split(' ');
    if (key && value) out.push([key, value]);
  }
  return out;
}

function dicts(group: readonly (readonly DictLike[])[] | undefined): Pair[][] {
  return (group?.[0] ?? []).map((d) => parseDict(d));
}

function variantMap(): Map<string, string> {
  const variants = new Map<string, string>();
  for (const locale of ['hk', 'tw']) {
    const group = dicts(Locale.from[locale]);
    for (const [k, v] of group[group.length - 1] ?? []) if (!variants.has(k)) variants.set(k, v);
  }
  return variants;
}

function buildConversion(): ConversionTables {
  const [tsPhrases = [], tsChars = []] = dicts(Locale.to.cn);
  const ts = new Map(tsChars);
  const variants = variantMap();
  // A TW variant rule may rewrite a character that Simplified also uses with another meaning
  // (著 → 着 would turn 著名 into 着名): keep a variant rule only when its source is
  // Traditional anyway or when it comes back to itself (温 → 溫 → 温).
  for (const [k, v] of [...variants]) {
    if (!ts.has(k) && (ts.get(v) ?? v) !== k) variants.delete(k);
  }
  const simplifyOnce = (c: string): string => {
    const std = variants.get(c) ?? c;
    return ts.get(std) ?? std;
  };
  // Closed under itself (OpenCC has a few chains), so conversion is idempotent.
  const simplify = (c: string): string => {
    let cur = c;
    for (let i = 0; i < 4; i++) {
      const next = simplifyOnce(cur);
      if (next === cur) break;
      cur = next;
    }
    return cur;
  };

  const charMap = new Uint32Array(0x10000);
  const astralMap = new Map<string, string>();
  for (const c of new Set([...ts.keys(), ...variants.keys()])) {
    const s = simplify(c);
    if (s === c) continue;
    if (c.length === 1 && s.length === 1) charMap[c.charCodeAt(0)] = s.charCodeAt(0);
    else astralMap.set(c, s);
  }

  const phrases = new Map<string, { from: string; to: string }[]>();
  const phraseStart = new Uint8Array(0x10000);
  const convertible = new Uint8Array(0x10000);
  for (let c = 0; c < 0x10000; c++) if (charMap[c] !== 0) convertible[c] = 1;
  for (let c = 0xd800; c <= 0xdbff; c++) convertible[c] = 1;
  const addPhrase = (from: string, to: string): void => {
    const first = from[0] ?? '';
    const list = phrases.get(first) ?? [];
    if (list.some((p) => p.from === from)) return;
    list.push({ from, to });
    phrases.set(first, list);
    phraseStart[from.charCodeAt(0)] = 1;
  };
  for (const [from, to] of tsPhrases) {
    addPhrase(from, to);
    if (from.length === to.length) {
      for (let j = 0; j < from.length; j++) {
        if (from[j] !== to[j]) convertible[from.charCodeAt(j)] = 1;
      }
    }
  }
  // 乾縣 → 乾县 must stay 乾县 on a second pass, not become 干县.
  for (const [, to] of tsPhrases) addPhrase(to, to);
  for (const list of phrases.values()) list.sort((a, b) => b.from.length - a.from.length);
  return { charMap, astralMap, phrases, phraseStart, convertible };
}

/** Characters that some aligned phrase keeps unchanged are valid on that side (乾隆, 皇后). */
function keptInPhrases(pairs: Pair[]): Set<string> {
  const kept = new Set<string>();
  for (const [from, to] of pairs) {
    if (from.length !== to.length) continue;
    for (let j = 0; j < from.length; j++) if (from[j] === to[j]) kept.add(from[j] ?? '');
  }
  return kept;
}

/**
 * Built on first use (it parses the 400 kB STPhrases dictionary). A character is evidence of
 * one script only when no dictionary shows it in use on the other side: Traditional-only = a
 * T→S key that no TS phrase keeps and that Simplified does not use as its own char (乾 in 乾隆
 * is not evidence); Simplified-only = an S→T key that is not a HK/TW variant and that no ST
 * phrase keeps (后 in 皇后, 于 as a surname and 里 in 公里 are not evidence; 发 is).
 */
function buildKinds(): Uint8Array {
  const [tsPhrases = [], tsChars = []] = dicts(Locale.to.cn);
  const [stPhrases = [], stChars = []] = dicts(Locale.from.cn);
  const ts = new Map(tsChars);
  const st = new Map(stChars);
  const variants = variantMap();
  const keptTraditional = keptInPhrases(tsPhrases);
  const keptSimplified = keptInPhrases(stPhrases);
  const kind = new Uint8Array(0x10000);
  for (const [k, v] of ts) {
    if (k === v || k.length !== 1 || keptTraditional.has(k) || st.has(k)) continue;
    kind[k.charCodeAt(0)] = TRADITIONAL_ONLY;
  }
  for (const [s, t] of st) {
    if (s === t || s.length !== 1 || keptSimplified.has(s) || variants.has(s) || ts.has(s))
      continue;
    kind[s.charCodeAt(0)] = SIMPLIFIED_ONLY;
  }
  return kind;
}

export const conversionTables: ConversionTables = buildConversion();

let kinds: Uint8Array | undefined;
export function scriptKinds(): Uint8Array {
  kinds ??= buildKinds();
  return kinds;
}
