import { readFileSync } from 'node:fs';

/** Where secrets named in config come from: the environment and, for `secretFile`, the disk. */
export interface SecretSource {
  env: Readonly<Record<string, string | undefined>>;
  readFile?: (path: string) => string;
}

/**
 * The value of a secret referenced by config (`secretEnv: NAME` or `secretFile: /path`), or null
 * when it is not set. A file's trailing newline is dropped (editors and `echo` add one). The value
 * is never part of an error message.
 */
export function resolveSecret(
  ref: { secretEnv?: string; secretFile?: string },
  source: SecretSource,
): string | null {
  let value: string | undefined;
  if (ref.secretEnv !== undefined) value = source.env[ref.secretEnv];
  else if (ref.secretFile !== undefined) {
    const read = source.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
    try {
      value = read(ref.secretFile);
    } catch {
      value = undefined;
    }
  }
  const trimmed = value?.replace(/\r?\n$/, '');
  return trimmed && trimmed.length > 0 ? trimmed : null;
}
