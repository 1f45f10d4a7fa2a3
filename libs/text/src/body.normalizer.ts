import { normalizeBodyReference } from './body.reference';
import { codeUnitTable, UnitKind } from './code-unit.table';
import { looksLikeHtml } from './html.stripper';

const { kind, single, multi } = codeUnitTable;

/**
 * The canonical event body: HTML stripped (when the text looks like HTML), NFKC (full-width
 * letters and digits → half-width; Chinese full-width punctuation kept), control and zero-width
 * characters removed, runs of spaces collapsed to one, line breaks kept as single "\n" between
 * non-empty paragraphs, trimmed. The script is kept: Traditional text stays Traditional.
 *
 * One pass over the code units with the per-unit table; unchanged stretches are copied as
 * slices, and a text that needs no change is returned as is. HTML and the rare units whose NFKC
 * depends on their neighbours go to the reference implementation, which defines the result.
 */
export function normalizeBody(text: string): string {
  const n = text.length;
  let out = '';
  // text[copied, i) is unchanged and not yet appended to `out`.
  let copied = 0;
  // Whitespace before the first visible character is trimmed.
  let started = false;
  // Set once looksLikeHtml said no, so that every further < or & is plain text.
  let notHtml = false;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const k = kind[c];
    if (k === UnitKind.Single) {
      started = true;
      const u = single[c] ?? c;
      if (u !== c) {
        out += text.slice(copied, i) + String.fromCharCode(u);
        copied = i + 1;
      }
      i++;
    } else if (k === UnitKind.Space || k === UnitKind.Newline) {
      // A whole run of whitespace (removed units included) becomes one "\n" when it holds a line
      // break, else one space; at either end of the text it disappears.
      let j = i;
      let newline = false;
      for (; j < n; j++) {
        const kj = kind[text.charCodeAt(j)];
        if (kj === UnitKind.Newline) newline = true;
        else if (kj !== UnitKind.Space && kj !== UnitKind.Removed) break;
      }
      const replacement = !started || j === n ? '' : newline ? '\n' : ' ';
      if (j !== i + 1 || text[i] !== replacement) {
        out += text.slice(copied, i) + replacement;
        copied = j;
      }
      i = j;
    } else if (k === UnitKind.Removed) {
      out += text.slice(copied, i);
      copied = ++i;
    } else if (k === UnitKind.Multi) {
      started = true;
      out += text.slice(copied, i) + (multi.get(c) ?? '');
      copied = ++i;
    } else if (k === UnitKind.Markup) {
      if (!notHtml && looksLikeHtml(text)) return normalizeBodyReference(text);
      notHtml = true;
      started = true;
      i++;
    } else {
      return normalizeBodyReference(text);
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}
