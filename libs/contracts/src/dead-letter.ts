export const DEAD_LETTER_SCHEMA = 'petition.dead-letter/1' as const;

/** A record on `petition.dlq.v1`: what could not be processed, why, and the payload untouched. */
export interface DeadLetter {
  schema: typeof DEAD_LETTER_SCHEMA;
  /** Machine-readable reason, e.g. `invalid-json`, `invalid-raw-petition`, `invalid-event`. */
  reason: string;
  /** Human-readable details (never personal data). */
  detail: string;
  /** Where it came from, e.g. `petition.raw.v1/3@1842` or `email:imap:inbox`. */
  source: string;
  failedAt: string;
  /** The original payload, base64 so that bytes that are not UTF-8 survive. */
  payloadBase64: string;
}
