import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';

export interface EventSeen {
  petitionId: string;
  eventType: string;
  eventId: string;
  partition: number;
  offset: string;
}

export function kafkaClient(brokers: string[], clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 2000 },
  });
}

/**
 * Reads a whole topic from the beginning as a case system would: its own group,
 * isolation.level=read_committed (events of aborted or open transactions are never seen).
 */
export class CommittedReader {
  readonly events: EventSeen[] = [];
  lastRecordAt = Date.now();
  private consumer: Consumer | undefined;
  private stopped = false;

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
  ) {}

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: `fault-reader-${randomUUID()}`,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart && !this.stopped)
        setTimeout(() => void this.run().catch(() => undefined), 1000);
    });
    await this.run();
  }

  private async run(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer || this.stopped) return;
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message, partition }) => {
        const e = JSON.parse(message.value?.toString('utf8') ?? '{}') as Partial<EventSeen>;
        this.events.push({
          petitionId: e.petitionId ?? '',
          eventType: e.eventType ?? '',
          eventId: e.eventId ?? '',
          partition,
          offset: message.offset,
        });
        this.lastRecordAt = Date.now();
        return Promise.resolve();
      },
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer?.disconnect().catch(() => undefined);
  }
}

/** Raw records the normalizer's group has not committed yet (its lag), summed over partitions. */
export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const done = new Map<number, bigint>();
  for (const t of committed)
    for (const p of t.partitions) done.set(p.partition, BigInt(p.offset === '-1' ? 0 : p.offset));
  let lag = 0n;
  for (const p of ends) lag += BigInt(p.high) - (done.get(p.partition) ?? 0n);
  return Number(lag);
}

/** Offsets the normalizer's group has committed, summed (progress, to time kills mid-work). */
export async function committedTotal(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<number> {
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  let sum = 0n;
  for (const t of committed)
    for (const p of t.partitions) if (p.offset !== '-1') sum += BigInt(p.offset);
  return Number(sum);
}
