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
  // Branch-free counting (kinds are 0, 1 or 2): the branches mispredicted on mixed text.
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const k = kind[text.charCodeAt(i)] ?? 0;
    traditional += k & TRADITIONAL_ONLY;
    simplified += (k & SIMPLIFIED_ONLY) >> 1;
  }
  const total = traditional + simplified;
  if (total === 0) return 'none';
  const minority = Math.min(traditional, simplified);
  if (minority > 0 && minority / total >= MIXED_MIN_SHARE) return 'mixed';
  return traditional > simplified ? 'traditional' : 'simplified';
}
