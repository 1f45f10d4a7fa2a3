import { Kafka, logLevel } from 'kafkajs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PetitionEvent } from '@app/contracts';
import { postTwilio, startStack, TEST_TWILIO_TOKEN, twilioInbound, type Stack } from '@app/testing';

/**
 * The normalizer's GET /health and GET /metrics, served by the real app consuming from the real
 * broker: what it counts is what it published.
 */
describe('normalizer health and metrics, end to end', () => {
  let stack: Stack;
  let base: string;

  beforeAll(async () => {
    stack = await startStack();
    const app = stack.normalizer as NestFastifyApplication;
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await stack.close();
  });

  /** The value of one sample line of the Prometheus text, 0 when absent. */
  function sample(text: string, series: string): number {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  }

  async function metricsWhen(ready: (text: string) => boolean): Promise<string> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      if (ready(text) || Date.now() > deadline) return text;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('is healthy once consuming, and counts events, duplicates and dead letters as published', async () => {
    const deadline = Date.now() + 20_000;
    let health: { status: string; consumer: { state: string }; dedupStore: object } | null = null;
    while (Date.now() < deadline) {
      const res = await fetch(`${base}/health`);
      health = (await res.json()) as typeof health;
      if (res.status === 200) break;
      expect(res.status).toBe(503);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(health).toMatchObject({
      status: 'ok',
      consumer: { state: 'consuming' },
      dedupStore: { kind: 'lmdb', ok: true },
    });

    const text =
      '忠县新立镇的垃圾中转站一个月没有清运了，臭气熏天，苍蝇到处飞，附近居民苦不堪言，请环卫部门尽快清运。';
    const ids: string[] = [];
    for (const [n, to] of ['+8613800000001', '+8613800000002'].entries()) {
      const res = await postTwilio(
        stack.url,
        twilioInbound({
          MessageSid: `SM${String(n).repeat(32)}`,
          From: '+8613712349999',
          To: to,
          Body: text,
        }),
        { token: TEST_TWILIO_TOKEN },
      );
      expect(res.status).toBe(200);
      ids.push(res.petitionId);
    }
    const kafka = new Kafka({
      clientId: 'ops-test',
      brokers: stack.brokers,
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: stack.topics.raw, messages: [{ key: 'x', value: '{not json' }] });
    await producer.disconnect();

    await stack.events.waitFor(() => stack.events.json<PetitionEvent>().length >= 2);
    await stack.deadLetters.waitFor(() => stack.deadLetters.json().length >= 1);
    const outcomes = stack.events.json<PetitionEvent>().map((e) => e.dedup?.outcome);
    expect(outcomes).toEqual(['new', 'duplicate']);

    const m = await metricsWhen(
      (t) =>
        sample(t, 'petition_normalizer_records_total{outcome="event"}') >= 2 &&
        sample(t, 'petition_normalizer_records_total{outcome="dead-letter"}') >= 1,
    );
    expect(sample(m, 'petition_normalizer_records_total{outcome="event"}')).toBe(2);
    expect(sample(m, 'petition_normalizer_records_total{outcome="dead-letter"}')).toBe(1);
    expect(sample(m, 'petition_normalizer_dead_letters_total{reason="invalid-json"}')).toBe(1);
    const category = stack.events.json<PetitionEvent>()[0]?.classification.category;
    expect(sample(m, `petition_normalizer_events_total{dedup="new",category="${category}"}`)).toBe(
      1,
    );
    expect(
      sample(m, `petition_normalizer_events_total{dedup="duplicate",category="${category}"}`),
    ).toBe(1);
    expect(sample(m, 'petition_normalizer_consuming')).toBe(1);
    expect(sample(m, 'petition_normalizer_dedup_store_up')).toBe(1);
    expect(sample(m, 'petition_normalizer_last_commit_timestamp_seconds')).toBeGreaterThan(
      Date.now() / 1000 - 60,
    );
    expect(sample(m, 'petition_normalizer_batch_seconds_count')).toBeGreaterThanOrEqual(1);
    // Every committed record (two events, one dead letter) is timed from its Kafka timestamp, and
    // the stages add up to the whole: one clock, consecutive intervals.
    expect(sample(m, 'petition_normalizer_record_delay_seconds_count')).toBe(3);
    const total = sample(m, 'petition_normalizer_record_delay_seconds_sum');
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(60);
    let stages = 0;
    for (const stage of ['fetch', 'queue', 'judge', 'claims', 'transaction']) {
      expect(sample(m, `petition_normalizer_record_stage_seconds_count{stage="${stage}"}`)).toBe(3);
      stages += sample(m, `petition_normalizer_record_stage_seconds_sum{stage="${stage}"}`);
    }
    expect(stages).toBeCloseTo(total, 6);
    expect(
      sample(m, 'petition_normalizer_record_stage_seconds_sum{stage="transaction"}'),
    ).toBeGreaterThan(0);
    // Labels are outcomes and categories: the sender's phone is nowhere.
    expect(m).not.toContain('13712349999');
  });
});
