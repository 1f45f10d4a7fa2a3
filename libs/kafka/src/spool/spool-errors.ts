/** The spool is at its size bound: refuse new items (503 + Retry-After) rather than lose any. */
export class SpoolFullError extends Error {
  readonly retriable = true;
  constructor(readonly bytes: number) {
    super(`spool is full (${bytes} bytes waiting for Kafka)`);
    this.name = 'SpoolFullError';
  }
}
