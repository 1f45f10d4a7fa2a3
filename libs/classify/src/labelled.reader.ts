import { matchText } from '@app/text';
import type { LabelledText } from './category.trainer';
import { readJsonLines } from './json-lines';

export interface ReadOptions {
  /** Field with the body; default: `text_segmented` when present, else `text`. */
  textField?: string;
  /** Optional field prepended to the body (a title). */
  titleField?: string;
  labelField?: string;
}

/** The words of a word-segmented text (separated by white space), each as matchText. */
export function segmentedWords(segmented: string): string[] {
  return segmented
    .split(/\s+/)
    .map((w) => matchText(w))
    .filter((w) => w !== '');
}

/** Reads labelled JSON Lines into matchText rows (row numbers in errors are 1-based lines). */
export function readLabelled(path: string, options: ReadOptions = {}): LabelledText[] {
  const labelField = options.labelField ?? 'label';
  return readJsonLines(path).map(({ row, line }) => {
    const textField = options.textField ?? ('text_segmented' in row ? 'text_segmented' : 'text');
    const body = row[textField];
    const label = row[labelField];
    if (typeof body !== 'string')
      throw new Error(`${path}:${line}: field ${textField} is not a string`);
    if (typeof label !== 'string' || label === '')
      throw new Error(`${path}:${line}: field ${labelField} is not a non-empty string`);
    const title = options.titleField ? row[options.titleField] : undefined;
    const text = typeof title === 'string' ? `${title}\n${body}` : body;
    // A segmented body gives its words; a title beside it is raw, so its words are left out.
    return textField === 'text_segmented'
      ? { text: matchText(text), label, words: segmentedWords(body) }
      : { text: matchText(text), label };
  });
}
