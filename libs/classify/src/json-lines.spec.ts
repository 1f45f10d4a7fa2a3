import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonLines } from './json-lines';

describe('readJsonLines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'json-lines-'));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('gives each object with its 1-based line, skipping blank lines', () => {
    const path = file('ok.jsonl', '{"a":1}\n\n  \n{"a":2}\n');
    expect(readJsonLines(path)).toEqual([
      { row: { a: 1 }, line: 1 },
      { row: { a: 2 }, line: 4 },
    ]);
  });

  it.each([
    ['{"a":1}\n{"a":', ':2: not JSON'],
    ['{"a":1}\n[1,2]\n', ':2: not a JSON object'],
    ['"text"\n', ':1: not a JSON object'],
  ])('names the file and line of a bad line (%j)', (text, message) => {
    const path = file('bad.jsonl', text);
    expect(() => readJsonLines(path)).toThrow(`${path}${message}`);
  });
});
