import type { Kafka } from 'kafkajs';
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
