import type { EmailConfig } from './email.config';
import type { EmailEnv } from './email.env';

/** DI tokens of the email channel. */
export const EMAIL_SETTINGS = Symbol('EMAIL_SETTINGS');

export interface EmailSettings {
  config: EmailConfig;
  env: EmailEnv;
  /** Root of the blob store. */
  blobDir: string;
  /** Root of the channel's LMDB state. */
  stateDir: string;
}

/**
 * Counters of what the channel did, for tests, health and a metrics exporter later. Receipt
 * failures are counted here (and logged without personal data) rather than failing intake.
 */
export class EmailStats {
  imported = 0;
  duplicates = 0;
  deadLettered = 0;
  receiptsSent = 0;
  receiptsFailed = 0;
  readonly receiptsSkipped: Record<string, number> = {};
  imapPolls = 0;
  imapErrors = 0;
}
