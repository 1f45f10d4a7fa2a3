import { conversionTables } from './chinese-script.tables';

const { charMap, astralMap, phrases, phraseStart, convertible } = conversionTables;

function needsWork(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (convertible[text.charCodeAt(i)] === 1) return true;
  return false;
}

/**
 * Traditional (including HK/TW variants) → Simplified Chinese with opencc-js's dictionaries:
 * phrase exceptions first (乾隆 stays, 乾燥 → 干燥), then a per-character map. Text that has no
 * convertible character is returned as is, without allocating.
 */
export function toSimplified(text: string): string {
  if (!needsWork(text)) return text;
  // Unchanged stretches are copied as slices: most characters of a message map to themselves.
  let out = '';
  let copied = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (phraseStart[c] === 1) {
      const phrase = phrases.get(text[i] ?? '')?.find((p) => text.startsWith(p.from, i));
      if (phrase) {
        if (phrase.to !== phrase.from) {
          out += text.slice(copied, i) + phrase.to;
          copied = i + phrase.from.length;
        }
        i += phrase.from.length;
        continue;
      }
    }
    const mapped = charMap[c] ?? 0;
    if (mapped !== 0) {
      out += text.slice(copied, i) + String.fromCharCode(mapped);
      copied = ++i;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const replacement = astralMap.get(text.slice(i, i + 2));
      if (replacement !== undefined) {
        out += text.slice(copied, i) + replacement;
        copied = i + 2;
      }
      i += 2;
    } else {
      i++;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}
