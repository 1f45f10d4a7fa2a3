/** Kafka did not acknowledge in time: the item is not durable, the sender should retry later. */
export class PublishTimeoutError extends Error {
  readonly retriable = true;
  constructor(readonly timeoutMs: number) {
    super(`Kafka did not acknowledge within ${timeoutMs} ms`);
    this.name = 'PublishTimeoutError';
  }
}

export class PublisherClosedError extends Error {
  readonly retriable = true;
  constructor() {
    super('publisher is closed');
    this.name = 'PublisherClosedError';
  }
}
