import { petitionEventProblems, type PetitionEvent } from '@app/contracts';
import {
  startStack,
  TEST_TWILIO_TOKEN,
  twilioInbound,
  type Stack,
  postTwilio,
  twilioSignature,
} from '@app/testing';

/** One real SMS from a Twilio webhook to the canonical topic on the real broker. */
describe('SMS via Twilio, end to end', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(async () => {
    await stack.close();
  });

  function post(params: Record<string, string>, signature?: string) {
    return postTwilio(stack.url, params, { token: TEST_TWILIO_TOKEN, signature });
  }

  function eventsFor(petitionId: string): PetitionEvent[] {
    return stack.events.json<PetitionEvent>().filter((e) => e.petitionId === petitionId);
  }

  it('publishes one valid canonical event, even when Twilio retries the webhook', async () => {
    const params = twilioInbound({ MessageSid: 'SM' + 'e2e1'.repeat(8), From: '139 1234 5678' });
    const first = await post(params);
    const retry = await post(params);
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    const petitionId = first.petitionId;
    expect(petitionId).not.toBe('');
    expect(retry.body).toContain(petitionId);

    await stack.events.waitFor(() => eventsFor(petitionId).length >= 1);
    await stack.events.settle();
    const events = eventsFor(petitionId);
    expect(events).toHaveLength(1);
    const event = events[0] as PetitionEvent;
    expect(petitionEventProblems(event)).toEqual([]);
    expect(event).toMatchObject({
      petitionId,
      channel: 'sms',
      provider: 'twilio',
      eventType: 'petition.received',
      recipient: { id: 'zhongxian-county-head', name: '忠县县长' },
      petitioner: { phone: '+8613912345678', anonymous: false },
      original: params.Body,
    });
    // Keyed by tracking number, so all of a petition's events share a partition.
    expect(stack.events.records.find((r) => r.key === petitionId)).toBeDefined();
  });

  it('refuses a forged signature with 403 and publishes nothing', async () => {
    const params = twilioInbound({ MessageSid: 'SM' + 'f0f0'.repeat(8) });
    const forged = await post(
      params,
      twilioSignature('not-the-token', `${stack.url}/channels/sms/twilio`, params),
    );
    expect(forged.status).toBe(403);
    expect(JSON.parse(forged.body)).toEqual({
      error: { code: 'signature-invalid', message: expect.any(String) },
    });
    const missing = await fetch(`${stack.url}/channels/sms/twilio`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    expect(missing.status).toBe(403);
    // A valid message after it proves the pipeline was live while the forged one was refused.
    const ok = await post(twilioInbound({ MessageSid: 'SM' + 'a1a1'.repeat(8) }));
    const okId = ok.petitionId;
    await stack.events.waitFor(() => eventsFor(okId).length === 1);
    const raw = stack.events.json<PetitionEvent>();
    expect(raw.some((e) => e.idempotencyKey.endsWith('f0f0'.repeat(8)))).toBe(false);
  });

  it('reports Kafka readiness on /health', async () => {
    const res = await fetch(`${stack.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', info: { kafka: { status: 'up' } } });
  });

  it('dead-letters a raw record that cannot be normalised and keeps consuming', async () => {
    const { Kafka, logLevel } = await import('kafkajs');
    const producer = new Kafka({ brokers: stack.brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({
      topic: stack.topics.raw,
      messages: [
        { key: 'junk', value: '{"not":"a petition"' },
        { key: 'junk2', value: '{"schema":"petition.raw/1"}' },
      ],
    });
    await producer.disconnect();
    await stack.deadLetters.waitFor((r) => r.length >= 2);
    const reasons = stack.deadLetters
      .json<{ reason: string; payloadBase64: string }>()
      .map((d) => d.reason);
    expect(reasons).toEqual(expect.arrayContaining(['invalid-json', 'invalid-raw-petition']));
    const after = await post(twilioInbound({ MessageSid: 'SM' + 'b2b2'.repeat(8) }));
    const afterId = after.petitionId;
    await stack.events.waitFor(() => eventsFor(afterId).length === 1);
  });
});
