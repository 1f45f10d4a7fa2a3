import { createServer, type Server, type Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { BatchingPublisher } from './batching-publisher';
import { PublisherClosedError } from './publish-errors';

/**
 * A "broker" that accepts connections and never answers: kafkajs waits for its first request's
 * answer (30 s), so a send stays in flight. Shutdown must not wait for it.
 */
describe('BatchingPublisher.close', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let port = 0;

  beforeAll(async () => {
    server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('returns within its bounds while a send hangs, rejecting what it still holds', async () => {
    const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
    const publisher = new BatchingPublisher(kafka, { timeoutMs: 60_000, maxBatch: 1 });
    const outcome = (p: Promise<void>) =>
      p.then(
        () => 'published',
        (e: unknown) => e,
      );
    const first = outcome(publisher.publish({ topic: 't', key: 'k', value: '1' }));
    const second = outcome(publisher.publish({ topic: 't', key: 'k', value: '2' }));
    await new Promise((r) => setTimeout(r, 100));
    expect(sockets.length).toBeGreaterThan(0);

    const started = Date.now();
    await publisher.close(200, 200);
    expect(Date.now() - started).toBeLessThan(1500);
    // The one being sent and the one queued behind it: their callers learn at once that they
    // are not durable (and spool them).
    expect(await second).toBeInstanceOf(PublisherClosedError);
    await expect(publisher.publish({ topic: 't', key: 'k', value: '3' })).rejects.toBeInstanceOf(
      PublisherClosedError,
    );
    expect(await first).toBeInstanceOf(PublisherClosedError);
  });
});
