import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { BatchingPublisher } from './batching-publisher';
import { PublishTimeoutError } from './publish-errors';
import { ensureTopics } from './topic-admin';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');

describe('BatchingPublisher against a real broker', () => {
  it('resolves only after the broker has the records, in order per key, batching concurrent calls', async () => {
    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
    const topic = `publisher-${randomUUID()}`;
    await ensureTopics(kafka, [{ topic, partitions: 3 }]);
    const publisher = new BatchingPublisher(kafka, { timeoutMs: 10000, maxBatch: 500 });
    await publisher.connect();
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        publisher.publish({ topic, key: `k${i % 10}`, value: String(i) }),
      ),
    );
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(1000);

    const seen = new Map<string, number[]>();
    const consumer = kafka.consumer({ groupId: `g-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let count = 0;
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: ({ message }) => {
          const key = message.key?.toString() ?? '';
          seen.set(key, [...(seen.get(key) ?? []), Number(message.value?.toString())]);
          if (++count === 1000) resolve();
          return Promise.resolve();
        },
      });
    });
    await consumer.disconnect();
    for (const values of seen.values()) expect(values).toEqual([...values].sort((a, b) => a - b));
    await publisher.close();
  });
});

describe('BatchingPublisher with large records', () => {
  it('splits a burst larger than the broker takes in one request into several requests', async () => {
    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
    const topic = `publisher-big-${randomUUID()}`;
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const publisher = new BatchingPublisher(kafka, { timeoutMs: 10000, maxBatch: 2000 });
    await publisher.connect();
    // 30 × 100 kB on one partition: 3 MB, far over the default message.max.bytes (1 MiB).
    const value = 'x'.repeat(100_000);
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => publisher.publish({ topic, key: `k${i}`, value })),
    );
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(30);
    await publisher.close();
  });
});

describe('BatchingPublisher when Kafka does not answer', () => {
  let blackHole: Server;
  const sockets: Socket[] = [];
  let port: number;

  beforeAll(async () => {
    // Accepts TCP connections and never answers: a hung broker, the worst case for a sender.
    blackHole = createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
    port = (blackHole.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((r) => blackHole.close(() => r()));
  });

  it('rejects (timeout or connection error) instead of acknowledging', async () => {
    const kafka = new Kafka({
      brokers: [`127.0.0.1:${port}`],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 300,
      requestTimeout: 300,
    });
    const publisher = new BatchingPublisher(kafka, { timeoutMs: 500, maxBatch: 10 });
    const started = Date.now();
    const error = await publisher
      .publish({ topic: 't', key: 'k', value: 'v' })
      .catch((e: unknown) => e);
    // Either our own deadline or kafkajs giving up first: what matters is that it is not a success.
    expect(error).toBeInstanceOf(Error);
    if (error instanceof PublishTimeoutError) expect(error.retriable).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
