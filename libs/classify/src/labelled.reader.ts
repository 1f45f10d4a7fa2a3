import { readFileSync } from 'node:fs';
import { matchText } from '@app/text';
import type { LabelledText } from './category.trainer';

export interface ReadOptions {
  /** Field with the body; default: `text_segmented` when present, else `text`. */
  textField?: string;
  /** Optional field prepended to the body (a title). */
  titleField?: string;
  labelField?: string;
}

/** Reads labelled JSON Lines into matchText rows (row numbers in errors are 1-based lines). */
export function readLabelled(path: string, options: ReadOptions = {}): LabelledText[] {
  const labelField = options.labelField ?? 'label';
  const rows: LabelledText[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      const row = JSON.parse(line) as Record<string, unknown>;
      const textField = options.textField ?? ('text_segmented' in row ? 'text_segmented' : 'text');
      const body = row[textField];
      const label = row[labelField];
      if (typeof body !== 'string')
        throw new Error(`${path}:${i + 1}: field ${textField} is not a string`);
      if (typeof label !== 'string' || label === '')
        throw new Error(`${path}:${i + 1}: field ${labelField} is not a non-empty string`);
      const title = options.titleField ? row[options.titleField] : undefined;
      const text = typeof title === 'string' ? `${title}\n${body}` : body;
      rows.push({ text: matchText(text), label });
    });
  return rows;
}
