import { readFileSync } from 'node:fs';

/**
 * The objects of a JSON Lines file with their 1-based line numbers, blank lines skipped. A line
 * that is not a JSON object fails naming the file and line, as the readers' field errors do.
 */
export function readJsonLines(path: string): { row: Record<string, unknown>; line: number }[] {
  const out: { row: Record<string, unknown>; line: number }[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text.trim() === '') return;
      let row: unknown;
      try {
        row = JSON.parse(text);
      } catch (err) {
        throw new Error(`${path}:${i + 1}: not JSON (${(err as Error).message})`);
      }
      if (typeof row !== 'object' || row === null || Array.isArray(row))
        throw new Error(`${path}:${i + 1}: not a JSON object`);
      out.push({ row: row as Record<string, unknown>, line: i + 1 });
    });
  return out;
}
