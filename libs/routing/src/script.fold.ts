import * as OpenCC from 'opencc-js';
import type { CodeUnitFold } from './keyword.automaton';

type Convert = (text: string) => string;

// Building the OpenCC converters loads their dictionaries (~0.2 s), so it happens once per
// process and only when a config is compiled, never per message.
let converters: Convert[] | undefined;
function toTraditional(): Convert[] {
  converters ??= [
    OpenCC.Converter({ from: 'cn', to: 'tw' }),
    OpenCC.Converter({ from: 'cn', to: 'hk' }),
  ];
  return converters;
}

/**
 * A fold from Traditional to Simplified code units, limited to the characters of the given
 * (Simplified) dictionary words. Folding input characters during the scan lets one automaton match
 * "奉節縣", "奉节县" and the mixed "奉節县" without converting every message.
 *
 * A character that itself occurs in a Simplified word is never folded, so the fold cannot turn one
 * Simplified word into another.
 */
export function traditionalFold(words: Iterable<string>): CodeUnitFold {
  const simplified = new Set<number>();
  const list = [...words];
  for (const word of list) for (let i = 0; i < word.length; i++) simplified.add(word.charCodeAt(i));
  const fold = new Map<number, number>();
  for (const convert of toTraditional()) {
    // One call over all words: converting 2,000 town names one by one took ~0.4 s. A line break
    // ends every dictionary phrase, so the words convert as they would alone.
    const variants = convert(list.join('\n')).split('\n');
    const perWord = variants.length === list.length;
    for (let w = 0; w < list.length; w++) {
      const word = list[w] ?? '';
      const variant = perWord ? (variants[w] ?? '') : convert(word);
      // Phrase-level conversions can change the length; those words keep only their exact form.
      if (variant.length !== word.length) continue;
      for (let i = 0; i < word.length; i++) {
        const from = variant.charCodeAt(i);
        const to = word.charCodeAt(i);
        if (from !== to && !simplified.has(from) && !fold.has(from)) fold.set(from, to);
      }
    }
  }
  return fold;
}

/** Applies a fold to a whole string (for short config keys such as a channel's county). */
export function applyFold(fold: CodeUnitFold, text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out += String.fromCharCode(fold.get(code) ?? code);
  }
  return out;
}
