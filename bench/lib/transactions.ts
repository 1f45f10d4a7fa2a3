import { Kafka, logLevel, type RetryOptions } from 'kafkajs';
import { latencySummary } from './load';

export interface TransactionRun {
  initialRetryTime: number;
  transactions: number;
  seconds: number;
  perSecond: number;
  /** Retries kafkajs logged for CONCURRENT_TRANSACTIONS. */
  concurrentRetries: number;
  /** Milliseconds per transaction (begin, send, commit). */
  latency: ReturnType<typeof latencySummary>;
}

/**
 * One transactional producer committing `count` small transactions back to back (two records
 * each, on a topic of several partitions), as the normalizer commits batch after batch: how long
 * each transaction takes with the given retry policy, and how often the coordinator answered
 * CONCURRENT_TRANSACTIONS because it was still completing the previous commit.
 */
export async function backToBackTransactions(
  brokers: string[],
  topic: string,
  retry: RetryOptions,
  count: number,
): Promise<TransactionRun> {
  let concurrentRetries = 0;
  const kafka = new Kafka({
    clientId: 'bench-transactions',
    brokers,
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const { message, error } = entry.log as { message?: unknown; error?: unknown };
      if (/concurrent operation/.test(`${String(message)} ${String(error)}`)) concurrentRetries++;
    },
  });
  const producer = kafka.producer({
    transactionalId: `bench-transactions-${String(retry.initialRetryTime)}-${Date.now()}`,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    retry,
  });
  await producer.connect();
  const times: number[] = [];
  const started = process.hrtime.bigint();
  try {
    for (let i = 0; i < count; i++) {
      const t0 = process.hrtime.bigint();
      const tx = await producer.transaction();
      await tx.send({
        topic,
        messages: [
          { key: `a${i}`, value: 'x'.repeat(512) },
          { key: `b${i}`, value: 'y'.repeat(512) },
        ],
      });
      await tx.commit();
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  } finally {
    await producer.disconnect();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    initialRetryTime: retry.initialRetryTime ?? NaN,
    transactions: count,
    seconds,
    perSecond: count / seconds,
    concurrentRetries,
    latency: latencySummary(times),
  };
}
