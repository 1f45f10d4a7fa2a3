import { looksLikeHtml, stripHtml } from './html.stripper';

// Full-width punctuation that is the correct form in Chinese prose: NFKC would turn it into
// ASCII (，→ ,), which only hurts the canonical body a case officer reads. Letters, digits and
// the other full-width symbols still go to half-width. matchText removes punctuation anyway.
export const KEPT_PUNCTUATION = '！（），：；？';
const PROTECT = new RegExp(`[${KEPT_PUNCTUATION}]`, 'g');
// Noncharacters as placeholders: NFKC leaves them alone and CONTROL strips any the input had.
const PLACEHOLDER_BASE = 0xfdd0;
const RESTORE = /[\ufdd0-\ufdd6]/g;

// C0/C1 controls except tab/newline/CR, zero-width and bidi marks, BOM, replacement char.
/* eslint-disable no-control-regex -- matching control characters is the point of these two */
export const CONTROL =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufdd0-\ufdef\ufeff\ufffd]/g;
// ASCII (controls included) and common CJK need no NFKC: skip the normalize call.
const NEEDS_NFKC =
  /[^\u0000-\u007e\u4e00-\u9fff\u3001\u3002\u300a-\u300f\u201c\u201d\u2018\u2019\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f]/;
/* eslint-enable no-control-regex */

function nfkcKeepingChinesePunctuation(text: string): string {
  if (!NEEDS_NFKC.test(text)) return text;
  const protectedText = text.replace(PROTECT, (c) =>
    String.fromCharCode(PLACEHOLDER_BASE + KEPT_PUNCTUATION.indexOf(c)),
  );
  return protectedText
    .normalize('NFKC')
    .replace(RESTORE, (c) => KEPT_PUNCTUATION[c.charCodeAt(0) - PLACEHOLDER_BASE] ?? '');
}

/**
 * Reference implementation of normalizeBody (regex passes plus String.normalize), kept as the
 * fallback for inputs the one-pass version does not handle (HTML, rare code units) and as the
 * oracle its tests compare against.
 *
 * The canonical event body: HTML stripped (when the text looks like HTML), NFKC (full-width
 * letters and digits → half-width; Chinese full-width punctuation kept), control and zero-width
 * characters removed, runs of spaces collapsed to one, line breaks kept as single "\n" between
 * non-empty paragraphs, trimmed. The script is kept: Traditional text stays Traditional.
 */
export function normalizeBodyReference(text: string): string {
  let s = looksLikeHtml(text) ? stripHtml(text) : text;
  s = nfkcKeepingChinesePunctuation(s.replace(CONTROL, '').replace(/\r\n?|[\u2028\u2029]/g, '\n'));
  // Spaces (NFKC already made U+3000 and NBSP plain spaces) collapse to one; a line break with
  // any blank lines and indentation around it becomes a single "\n".
  return s
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n\s*/g, '\n')
    .trim();
}
