import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type IHeaders, type Message } from 'kafkajs';

export interface CapturedRecord {
  key: string | null;
  value: Buffer;
  headers: IHeaders;
}

function kafka(brokers: string[], clientId: string): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });
}

/**
 * Copies up to `limit` records off a topic (read_uncommitted, from the beginning), so the ceiling
 * producer sends exactly the payloads the gateway produced.
 */
export async function captureRecords(
  brokers: string[],
  topic: string,
  limit: number,
  timeoutMs = 30_000,
): Promise<CapturedRecord[]> {
  const consumer = kafka(brokers, 'bench-capture').consumer({
    groupId: `bench-capture-${randomUUID()}`,
    maxBytesPerPartition: 16 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  const out: CapturedRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done: () => void = () => undefined;
  const full = new Promise<void>((r) => (done = r));
  await consumer.run({
    eachBatch: ({ batch }) => {
      for (const m of batch.messages) {
        if (out.length >= limit) break;
        out.push({
          key: m.key?.toString() ?? null,
          value: m.value ?? Buffer.alloc(0),
          headers: m.headers ?? {},
        });
      }
      if (out.length >= limit) done();
      return Promise.resolve();
    },
  });
  await Promise.race([full, new Promise((r) => setTimeout(r, timeoutMs))]);
  await consumer.disconnect();
  return out;
}

export interface CeilingRun {
  producers: number;
  batch: number;
  messages: number;
  seconds: number;
  perSecond: number;
  mbPerSecond: number;
}

/**
 * A bare kafkajs producer — idempotent, acks=-1, like the gateway's — sending the captured
 * payloads to a fresh topic as fast as it can: `producers` producers in parallel (an idempotent
 * kafkajs producer must not have two requests in flight to one partition, so parallelism is more
 * producers), each sending `batch` records per sendBatch back to back.
 */
export async function producerCeiling(
  brokers: string[],
  topic: string,
  records: CapturedRecord[],
  producers: number,
  batch: number,
  maxBytes = 512 * 1024,
): Promise<CeilingRun> {
  const k = kafka(brokers, 'bench-ceiling');
  const list = await Promise.all(
    Array.from({ length: producers }, async () => {
      const p = k.producer({ idempotent: true, allowAutoTopicCreation: false });
      await p.connect();
      return p;
    }),
  );
  // Warm up metadata and connections to every partition leader.
  await Promise.all(list.map((p) => p.send({ topic, acks: -1, messages: [{ value: 'warm' }] })));
  const messages: Message[] = records.map((r) => ({
    key: r.key,
    value: r.value,
    headers: r.headers,
  }));
  let cursor = 0;
  let bytes = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    list.map(async (p) => {
      while (cursor < messages.length) {
        // At most `batch` records and `maxBytes` per request, as the gateway's publisher does.
        const chunk: Message[] = [];
        let size = 0;
        while (cursor < messages.length && chunk.length < batch) {
          const m = messages[cursor] as Message;
          const n = (m.value as Buffer).length + 64;
          if (chunk.length > 0 && size + n > maxBytes) break;
          chunk.push(m);
          size += n;
          cursor++;
        }
        bytes += size;
        await p.sendBatch({ topicMessages: [{ topic, messages: chunk }], acks: -1 });
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await Promise.all(list.map((p) => p.disconnect()));
  return {
    producers,
    batch,
    messages: messages.length,
    seconds,
    perSecond: messages.length / seconds,
    mbPerSecond: bytes / seconds / 1e6,
  };
}
