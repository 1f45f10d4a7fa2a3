import { createServer, type Server } from 'node:net';
import { startStack, TEST_TWILIO_TOKEN, twilioInbound, type Stack, postTwilio } from '@app/testing';

/**
 * A gateway (re)started while Kafka is unreachable still takes petitions in: into its disk spool,
 * acknowledged once they are on disk, with the outage visible in /health.
 */
describe('gateway booting while Kafka is down', () => {
  let stack: Stack;
  let closedPort: number;

  beforeAll(async () => {
    // A port that was free a moment ago and is closed now: nothing answers there.
    const probe: Server = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    stack = await startStack({
      brokers: [`127.0.0.1:${closedPort}`],
      withNormalizer: false,
      withReaders: false,
      gatewayEnv: { PUBLISH_TIMEOUT_MS: '200' },
    });
  }, 60000);

  afterAll(async () => {
    await stack.close();
  });

  it('boots, reports Kafka down, and acknowledges from the spool', async () => {
    const params = twilioInbound({ MessageSid: 'SM' + '0d0d'.repeat(8) });
    const res = await postTwilio(stack.url, params, { token: TEST_TWILIO_TOKEN });
    expect(res.status).toBe(200);
    expect(res.petitionId).not.toBe('');
    const health = await fetch(`${stack.url}/health`);
    expect(health.status).toBe(503);
    const report = (await health.json()) as {
      details: { kafka: { status: string }; spool: { records: number } };
    };
    expect(report.details.kafka.status).toBe('down');
    expect(report.details.spool.records).toBe(1);
  });
});
