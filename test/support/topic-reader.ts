import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { randomUUID } from 'node:crypto';

export interface ReadRecord {
  key: string | null;
  value: string;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

/**
 * An ordinary Kafka consumer (read_committed, its own group, from the beginning) that collects
 * everything on one topic, for assertions on what really reached the broker.
 */
export class TopicReader {
  readonly records: ReadRecord[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly brokers: string[],
    readonly topic: string,
  ) {}

  async start(): Promise<this> {
    const kafka = new Kafka({
      clientId: 'test-reader',
      brokers: this.brokers,
      logLevel: logLevel.NOTHING,
    });
    this.consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, readUncommitted: false });
    // Like the normalizer, the reader comes back after a crash (fault tests stop the broker).
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart && !this.stopped)
        setTimeout(() => void this.run().catch(() => undefined), 1000);
    });
    await this.run();
    return this;
  }

  private stopped = false;

  private async run(): Promise<void> {
    if (!this.consumer || this.stopped) return;
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: ({ message, partition }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {}))
          if (v !== undefined) headers[k] = String(v);
        this.records.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? '',
          headers,
          partition,
          offset: message.offset,
        });
        return Promise.resolve();
      },
    });
  }

  json<T = Record<string, unknown>>(): T[] {
    return this.records.map((r) => JSON.parse(r.value) as T);
  }

  /** Waits until `predicate` holds over what was read so far, or fails after `timeoutMs`. */
  async waitFor(predicate: (records: ReadRecord[]) => boolean, timeoutMs = 20000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.records)) {
      if (Date.now() > deadline) {
        throw new Error(
          `timed out after ${timeoutMs} ms waiting on ${this.topic} (have ${this.records.length} records)`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Gives stragglers (a duplicate that should not exist) time to arrive before counting. */
  async settle(ms = 1500): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer?.disconnect();
  }
}
