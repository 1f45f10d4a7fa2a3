import type { PetitionEvent } from '@app/contracts';
import {
  OwnBroker,
  startStack,
  TEST_TWILIO_TOKEN,
  twilioInbound,
  type Stack,
  postTwilio,
} from '@app/testing';

/**
 * Kafka stops while citizens keep texting: the gateway spools to disk and acknowledges; when the
 * broker is back the relay drains the spool and every acknowledged petition appears once.
 */
describe('no loss when Kafka is down', () => {
  const broker = new OwnBroker(19192);
  let stack: Stack;
  let sid = 0;

  beforeAll(async () => {
    broker.destroy();
    broker.start();
    stack = await startStack({
      brokers: broker.brokers,
      gatewayEnv: {
        PUBLISH_TIMEOUT_MS: '300',
        LOG_LEVEL: process.env.DEBUG_SPOOL ? 'info' : 'silent',
      },
      normalizerEnv: { LOG_LEVEL: process.env.DEBUG_SPOOL ? 'info' : 'silent' },
    });
  }, 120000);

  afterAll(async () => {
    await stack.close().catch(() => undefined);
    broker.destroy();
  }, 60000);

  function sms(): Promise<{ status: number; petitionId: string }> {
    const params = twilioInbound({ MessageSid: `SM${(++sid).toString(16).padStart(32, '5')}` });
    return postTwilio(stack.url, params, { token: TEST_TWILIO_TOKEN });
  }

  it('acknowledges from the spool while Kafka is down and publishes everything once when it returns', async () => {
    const acked: string[] = [];
    for (let i = 0; i < 5; i++) acked.push((await sms()).petitionId);
    broker.stop();
    const whileDown = await Promise.all(Array.from({ length: 40 }, () => sms()));
    expect(whileDown.map((r) => r.status)).toEqual(whileDown.map(() => 200));
    acked.push(...whileDown.map((r) => r.petitionId));
    const health = (await (await fetch(`${stack.url}/health`)).json()) as {
      details: { spool?: { records: number } };
    };
    expect(health.details.spool?.records).toBeGreaterThan(0);
    broker.start();
    await stack.events.waitFor(
      () =>
        new Set(stack.events.json<PetitionEvent>().map((e) => e.petitionId)).size >= acked.length,
      90000,
    );
    await stack.events.settle(3000);
    const ids = stack.events.json<PetitionEvent>().map((e) => e.petitionId);
    expect(new Set(ids)).toEqual(new Set(acked));
    expect(ids).toHaveLength(acked.length);
  }, 180000);
});
