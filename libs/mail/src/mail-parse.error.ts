/** Why a raw message could not be turned into a petition; the raw bytes are dead-lettered. */
export type MailParseFailure = 'unparseable' | 'not-a-message' | 'empty-message' | 'too-large';

export class MailParseError extends Error {
  /** Parsing the same bytes again fails the same way. */
  readonly retriable = false;
  constructor(
    readonly reason: MailParseFailure,
    message: string,
  ) {
    super(message);
    this.name = 'MailParseError';
  }
}
