import type { EachBatchPayload, Kafka } from 'kafkajs';
import { topicNames } from '@app/contracts';
import type { RawRecordProcessor } from '../pipeline/raw-record-processor';
import type { ClaimStore } from '../state/claim-store';
import { TransactionalNormalizer } from './transactional-normalizer';

type CrashHandler = (event: { payload: { restart: boolean; error: Error } }) => void;

/** A kafkajs stand-in whose consumer can be made to crash the way it does when the broker is gone. */
function fakeKafka() {
  let crash: CrashHandler = () => undefined;
  const consumer = {
    events: { CRASH: 'consumer.crash' },
    on: (_event: string, handler: CrashHandler) => {
      crash = handler;
    },
    connect: jest.fn(() => Promise.resolve()),
    subscribe: jest.fn(() => Promise.resolve()),
    run: jest.fn(() => Promise.resolve()),
    disconnect: jest.fn(() => Promise.resolve()),
  };
  const producer = {
    connect: jest.fn(() => Promise.resolve()),
    disconnect: jest.fn(() => Promise.resolve()),
  };
  const kafka = { consumer: () => consumer, producer: () => producer } as unknown as Kafka;
  const crashNonRetriable = () =>
    crash({ payload: { restart: false, error: new Error('Failed to find group coordinator') } });
  return { kafka, consumer, crashNonRetriable };
}

function normalizer(kafka: Kafka): TransactionalNormalizer {
  return new TransactionalNormalizer(kafka, {} as RawRecordProcessor, {} as ClaimStore, {
    groupId: 'g',
    topics: topicNames(''),
    transactionalId: 't',
    log: () => undefined,
  });
}

describe('TransactionalNormalizer after a non-retriable consumer crash', () => {
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  // Found by scripts/fault (broker stopped mid-load): the restart timer was unref'd, so with the
  // broker down nothing held the event loop and the process exited with code 0 for good.
  it('holds the process open until the consumer is restarted', async () => {
    const { kafka, crashNonRetriable } = fakeKafka();
    const n = normalizer(kafka);
    await n.start();
    const spy = jest.spyOn(global, 'setTimeout');
    crashNonRetriable();
    const timer = spy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(true);
    await n.stop();
  });

  it('restarts the consumer 2 s later, and stop() cancels a pending restart', async () => {
    jest.useFakeTimers();
    const { kafka, consumer, crashNonRetriable } = fakeKafka();
    const n = normalizer(kafka);
    await n.start();
    expect(consumer.run).toHaveBeenCalledTimes(1);
    crashNonRetriable();
    await jest.advanceTimersByTimeAsync(2000);
    expect(consumer.run).toHaveBeenCalledTimes(2);
    crashNonRetriable();
    await n.stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(consumer.run).toHaveBeenCalledTimes(2);
  });
});

/** A transactional producer stand-in; `broken` makes its transactions fail and their abort too. */
function fakeProducer(broken: boolean) {
  const txn = {
    sendBatch: jest.fn(() =>
      broken ? Promise.reject(new Error('broker gone')) : Promise.resolve(),
    ),
    sendOffsets: jest.fn(() => Promise.resolve()),
    commit: jest.fn(() => Promise.resolve()),
    abort: jest.fn(() => (broken ? Promise.reject(new Error('broker gone')) : Promise.resolve())),
  };
  return {
    txn,
    connect: jest.fn(() => Promise.resolve()),
    disconnect: jest.fn(() => Promise.resolve()),
    transaction: jest.fn(() => Promise.resolve(txn)),
  };
}

/** A kafkajs consumer stand-in that hands the test its eachBatch and keeps its event handlers. */
function batchConsumer() {
  const handlers = new Map<string, (event: unknown) => void>();
  const captured: { eachBatch?: (p: EachBatchPayload) => Promise<void> } = {};
  const consumer = {
    events: { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' },
    on: (event: string, handler: (event: unknown) => void) => handlers.set(event, handler),
    connect: () => Promise.resolve(),
    subscribe: () => Promise.resolve(),
    run: (config: { eachBatch: (p: EachBatchPayload) => Promise<void> }) => {
      captured.eachBatch = config.eachBatch;
      return Promise.resolve();
    },
    disconnect: () => Promise.resolve(),
  };
  return { consumer, captured, handlers };
}

describe('TransactionalNormalizer after a transaction whose abort failed', () => {
  // Found by scripts/fault (broker stopped mid-load): the failed abort left the kafkajs producer in
  // state ABORTING, every later batch crashed on "Cannot call beginTransaction in state ABORTING"
  // and nothing was published again until the process was restarted.
  it('continues with a new producer (same transactional id) and commits the re-read batch', async () => {
    const producers = [fakeProducer(true), fakeProducer(false)];
    let made = 0;
    const { consumer, captured } = batchConsumer();
    const transactionalIds: string[] = [];
    const kafka = {
      consumer: () => consumer,
      producer: (config: { transactionalId: string }) => {
        transactionalIds.push(config.transactionalId);
        return producers[made++];
      },
    } as unknown as Kafka;
    const processor = {
      processBatch: (records: unknown[]) =>
        Promise.resolve(
          records.map(() => ({ kind: 'event', out: [{ topic: 'e', key: 'k', value: '{}' }] })),
        ),
    } as unknown as RawRecordProcessor;
    const claims = { flush: () => Promise.resolve() } as unknown as ClaimStore;
    const n = new TransactionalNormalizer(kafka, processor, claims, {
      groupId: 'g',
      topics: topicNames(''),
      transactionalId: 'normalizer-0',
      log: () => undefined,
    });
    await n.start();
    const payload = {
      batch: { topic: 'raw', partition: 0, messages: [{ offset: '7', value: Buffer.from('{}') }] },
      isRunning: () => true,
      isStale: () => false,
      resolveOffset: jest.fn(),
      heartbeat: () => Promise.resolve(),
    } as unknown as EachBatchPayload;

    await expect(captured.eachBatch?.(payload)).rejects.toThrow('broker gone');
    expect(producers[0]?.disconnect).toHaveBeenCalled();
    await captured.eachBatch?.(payload);
    expect(producers[1]?.txn.commit).toHaveBeenCalledTimes(1);
    expect(transactionalIds).toEqual(['normalizer-0', 'normalizer-0']);
    await n.stop();
  });
});

describe('TransactionalNormalizer while batches fail', () => {
  it('reports a failing partition until it commits, whatever other partitions do, across a rejoin that keeps it, and forgets it when a rejoin moves it', async () => {
    const { consumer, captured, handlers } = batchConsumer();
    const producer = fakeProducer(false);
    const kafka = { consumer: () => consumer, producer: () => producer } as unknown as Kafka;
    // Partition 1's store writes fail; partition 0's go through.
    let refusing = true;
    const processor = {
      processBatch: (records: { position: string }[]) =>
        refusing && records.some((r) => r.position.startsWith('raw/1@'))
          ? Promise.reject(new Error('NOREPLICAS Not enough good replicas to write.'))
          : Promise.resolve(records.map(() => ({ kind: 'event', out: [] }))),
    } as unknown as RawRecordProcessor;
    const claims = { flush: () => Promise.resolve() } as unknown as ClaimStore;
    const failed = jest.fn();
    const n = new TransactionalNormalizer(kafka, processor, claims, {
      groupId: 'g',
      topics: topicNames(''),
      transactionalId: 't',
      log: () => undefined,
      onBatchFailed: failed,
    });
    await n.start();
    const batch = (partition: number) =>
      captured.eachBatch?.({
        batch: { topic: 'raw', partition, messages: [{ offset: '3', value: Buffer.from('{}') }] },
        isRunning: () => true,
        isStale: () => false,
        resolveOffset: () => undefined,
        heartbeat: () => Promise.resolve(),
      } as unknown as EachBatchPayload);

    expect(n.failing).toBeNull();
    await expect(batch(1)).rejects.toThrow('NOREPLICAS');
    const since = n.failing?.since;
    expect(n.failing).toEqual({
      since: expect.any(Date),
      attempts: 1,
      reason: 'NOREPLICAS Not enough good replicas to write.',
    });
    await batch(0);
    await expect(batch(1)).rejects.toThrow('NOREPLICAS');
    expect(n.failing).toMatchObject({ since, attempts: 2 });
    expect(failed).toHaveBeenCalledTimes(2);
    refusing = false;
    await batch(1);
    expect(n.failing).toBeNull();

    refusing = true;
    await expect(batch(1)).rejects.toThrow('NOREPLICAS');
    const again = n.failing?.since;
    expect(n.failing).toMatchObject({ attempts: 1 });
    const join = (assigned: number[]) =>
      handlers.get('consumer.group_join')?.({ payload: { memberAssignment: { raw: assigned } } });
    // kafkajs restarted the consumer after its retries and it rejoined with the same partitions.
    join([0, 1]);
    expect(n.failing).toMatchObject({ since: again, attempts: 1 });
    await expect(batch(1)).rejects.toThrow('NOREPLICAS');
    expect(n.failing).toMatchObject({ since: again, attempts: 2 });
    // A rebalance gave partition 1 to another instance: its failure is that instance's to report.
    join([0]);
    expect(n.failing).toBeNull();
    await n.stop();
  });
});
