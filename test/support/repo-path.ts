import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/** A path inside the repository, for tests that read config or fixtures wherever they live. */
export function repoPath(...parts: string[]): string {
  return join(ROOT, ...parts);
}
