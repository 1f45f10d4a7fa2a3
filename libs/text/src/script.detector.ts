import { SIMPLIFIED_ONLY, TRADITIONAL_ONLY, scriptKinds } from './chinese-script.tables';

export type ChineseScript = 'simplified' | 'traditional' | 'mixed' | 'none';

/** Below this share of the other script's distinctive chars, a stray char is noise, not mixing. */
const MIXED_MIN_SHARE = 0.1;

/**
 * Which Chinese script a text is written in, judged only by characters that differ between the
 * scripts (说/說); characters shared by both (人, 的, 著) are no evidence. `none` when there is no
 * distinctive character at all (short or non-Chinese text). `mixed` when both scripts each
 * contribute at least 10% of the distinctive characters.
 */
export function detectScript(text: string): ChineseScript {
  const kind = scriptKinds();
  let traditional = 0;
  let simplified = 0;
  for (let i = 0; i < text.length; i++) {
    const k = kind[text.charCodeAt(i)];
    if (k === TRADITIONAL_ONLY) traditional++;
    else if (k === SIMPLIFIED_ONLY) simplified++;
  }
  const total = traditional + simplified;
  if (total === 0) return 'none';
  const minority = Math.min(traditional, simplified);
  if (minority > 0 && minority / total >= MIXED_MIN_SHARE) return 'mixed';
  return traditional > simplified ? 'traditional' : 'simplified';
}
