import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The labelled public messages live beside the repository in ../shared/data and are read at run
 * time only: their texts are never copied into this repository (see shared/data/PROVENANCE.md).
 * SHARED_DATA_DIR overrides the location.
 */
export function sharedDataDir(): string {
  const dir = process.env.SHARED_DATA_DIR ?? resolve(__dirname, '..', '..', '..', 'shared', 'data');
  if (!existsSync(dir)) {
    throw new Error(`shared data not found at ${dir}: set SHARED_DATA_DIR`);
  }
  return dir;
}

export function readJsonl<T = Record<string, unknown>>(file: string): T[] {
  const text = readFileSync(join(sharedDataDir(), file), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as T);
}
