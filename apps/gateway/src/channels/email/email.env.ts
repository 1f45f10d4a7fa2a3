import { IsOptional, IsString, MinLength } from 'class-validator';
import { validateConfig } from '@app/config';

/**
 * The email channel's own environment, read once when the module boots. This file (with
 * gateway.env.ts) is the only place of the channel that reads process.env.
 */
export class EmailEnv {
  /** The validated email config file; email is off unless the file enables it. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  EMAIL_CONFIG = 'config/email.yaml';

  /** Where attachment and raw-message bytes go; `<GATEWAY_STATE_DIR>/blobs` when unset. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  EMAIL_BLOB_DIR?: string;

  /**
   * Values of the variables the config names for passwords (`passwordEnv`). Not enumerable, so
   * they never appear when the settings are printed or logged.
   */
  declare readonly passwords: Readonly<Record<string, string>>;
}

export function loadEmailEnv(env: NodeJS.ProcessEnv = process.env): EmailEnv {
  const picked = Object.fromEntries(
    Object.entries(env).filter(
      ([k, v]) => (k === 'EMAIL_CONFIG' || k === 'EMAIL_BLOB_DIR') && v !== undefined && v !== '',
    ),
  );
  const validated = validateConfig(EmailEnv, picked, 'environment');
  const passwords = Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] => /^[A-Z][A-Z0-9_]*$/.test(e[0]) && !!e[1],
    ),
  );
  Object.defineProperty(validated, 'passwords', {
    value: Object.freeze(passwords),
    enumerable: false,
  });
  return validated;
}
