import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';

/**
 * Reads the canonical events topic like a case system would (read_committed, its own group, from
 * the beginning) and records when each petitionId (the record key) was first seen. Only keys are
 * looked at, so the reader costs little CPU beside the system under test.
 */
export class EventCounter {
  /** petitionId → ms (Date.now) when its first committed event arrived here. */
  readonly firstSeen = new Map<string, number>();
  records = 0;
  private consumer?: Consumer;

  constructor(
    private readonly brokers: string[],
    readonly topic: string,
  ) {}

  async start(): Promise<this> {
    const kafka = new Kafka({
      clientId: 'bench-event-counter',
      brokers: this.brokers,
      logLevel: logLevel.NOTHING,
    });
    this.consumer = kafka.consumer({
      groupId: `bench-counter-${randomUUID()}`,
      readUncommitted: false,
      maxWaitTimeInMs: 50,
      maxBytesPerPartition: 8 * 1024 * 1024,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: true,
      eachBatch: ({ batch }) => {
        const now = Date.now();
        for (const m of batch.messages) {
          this.records++;
          const key = m.key?.toString() ?? '';
          if (!this.firstSeen.has(key)) this.firstSeen.set(key, now);
        }
        return Promise.resolve();
      },
    });
    return this;
  }

  /**
   * Waits until every id in `ids` has been seen, or `timeoutMs` passes. Returns the time the last
   * of them arrived (null on timeout) and the ids still missing.
   */
  async waitFor(
    ids: Iterable<string>,
    timeoutMs: number,
  ): Promise<{ lastAt: number | null; missing: string[] }> {
    const wanted = [...ids];
    const deadline = Date.now() + timeoutMs;
    let missing = wanted.filter((id) => !this.firstSeen.has(id));
    while (missing.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      missing = missing.filter((id) => !this.firstSeen.has(id));
    }
    if (missing.length > 0) return { lastAt: null, missing };
    let lastAt = 0;
    for (const id of wanted) lastAt = Math.max(lastAt, this.firstSeen.get(id) ?? 0);
    return { lastAt, missing };
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
