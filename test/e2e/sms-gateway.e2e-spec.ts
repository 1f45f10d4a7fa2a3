import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { petitionEventProblems, type PetitionEvent } from '@app/contracts';
import { repoPath, startStack, type Stack } from '@app/testing';
import { loadGatewayEnv } from '../../apps/gateway/src/config/gateway.env';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app';
import {
  SMS_GATEWAY_TEST_SECRET,
  gatewayHeaders,
  gatewayMessage,
  splitIntoParts,
} from '../fixtures/sms-gateway/push';

const LONG =
  '书记您好：我是忠县某镇的农民工，去年在县城一个建筑工地干了八个月，包工头至今拖欠我们十二个人的工资共计三十多万元。' +
  '我们多次找到项目部，对方一直推脱说开发商没有付款。眼看就要过年了，家里老人看病孩子上学都需要钱，恳请领导帮我们讨回血汗钱。';

interface Result {
  id: string;
  status: 'accepted' | 'rejected';
  petitionId?: string;
  code?: string;
}

/** SMS gateways pushing signed JSON, through the real gateway and normalizer on the real broker. */
describe('SMS gateway push, end to end', () => {
  let stack: Stack;
  const stateDirs: string[] = [];

  function stateDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-state-'));
    stateDirs.push(dir);
    return dir;
  }

  function gatewayEnv(dir: string): Record<string, string> {
    return {
      CHANNELS_CONFIG: repoPath('test/fixtures/sms-gateway/channels.yaml'),
      SMS_GATEWAY_TEST_SECRET,
      GATEWAY_STATE_DIR: dir,
      SMS_GATEWAY_SWEEP_INTERVAL_MS: '200',
    };
  }

  beforeAll(async () => {
    stack = await startStack({ gatewayEnv: gatewayEnv(stateDir()) });
  });

  afterAll(async () => {
    await stack.close();
    for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
  });

  async function push(
    body: unknown,
    options: Parameters<typeof gatewayHeaders>[1] = {},
    url = stack.url,
  ): Promise<{ status: number; json: { results?: Result[]; error?: { code: string } } }> {
    const raw = JSON.stringify(body);
    const res = await fetch(`${url}/channels/sms/gateway`, {
      method: 'POST',
      headers: gatewayHeaders(raw, options),
      body: raw,
    });
    return { status: res.status, json: (await res.json()) as { results?: Result[] } };
  }

  function eventsFor(petitionId: string | undefined): PetitionEvent[] {
    return stack.events.json<PetitionEvent>().filter((e) => e.petitionId === petitionId);
  }

  it('publishes each good message of a batch once, lists the bad one, and survives a retry', async () => {
    const batch = {
      messages: [
        gatewayMessage({ id: 'e2e-a', from: '139 1234 5678' }),
        gatewayMessage({ id: 'e2e-b', text: '' }),
        gatewayMessage({
          id: 'e2e-c',
          to: '+8613800000001',
          text: '書記您好：我們村的自來水已經停了一個星期。',
        }),
      ],
    };
    const first = await push(batch);
    expect(first.status).toBe(200);
    expect(first.json.results?.map((r) => [r.id, r.status, r.code])).toEqual([
      ['e2e-a', 'accepted', undefined],
      ['e2e-b', 'rejected', 'empty-message'],
      ['e2e-c', 'accepted', undefined],
    ]);
    const [a, , c] = first.json.results ?? [];
    const retry = await push(batch);
    expect(retry.json.results?.map((r) => r.petitionId)).toEqual([
      a?.petitionId,
      undefined,
      c?.petitionId,
    ]);

    await stack.events.waitFor(
      () => eventsFor(a?.petitionId).length > 0 && eventsFor(c?.petitionId).length > 0,
    );
    await stack.events.settle();
    const [eventA] = eventsFor(a?.petitionId);
    const [eventC] = eventsFor(c?.petitionId);
    expect(eventsFor(a?.petitionId)).toHaveLength(1);
    expect(eventsFor(c?.petitionId)).toHaveLength(1);
    expect(petitionEventProblems(eventA)).toEqual([]);
    expect(petitionEventProblems(eventC)).toEqual([]);
    expect(eventA).toMatchObject({
      channel: 'sms',
      provider: 'gateway',
      idempotencyKey: 'sms:gateway:test-modem:e2e-a',
      recipient: { id: 'zhongxian-county-head' },
      petitioner: { phone: '+8613912345678' },
    });
    expect(eventC).toMatchObject({
      recipient: { id: 'zhongxian-party-secretary' },
      original: batch.messages[2]?.text,
    });
    expect(stack.events.json<PetitionEvent>().some((e) => e.idempotencyKey.endsWith('e2e-b'))).toBe(
      false,
    );
  });

  it('reassembles a long SMS whose parts arrive out of order in separate pushes into one petition', async () => {
    const [p1, p2, p3] = splitIntoParts(LONG, 3, { id: 'long', ref: 77 });
    const answers = [await push(p3), await push(p1), await push(p2)];
    const numbers = answers.map((a) => a.json.results?.[0]?.petitionId);
    expect(new Set(numbers).size).toBe(1);
    expect(numbers[0]).toMatch(/^XF-/);

    await stack.events.waitFor(() => eventsFor(numbers[0]).length > 0);
    await stack.events.settle();
    const events = eventsFor(numbers[0]);
    expect(events).toHaveLength(1);
    expect(petitionEventProblems(events[0])).toEqual([]);
    expect(events[0]).toMatchObject({
      original: LONG,
      meta: {
        partsTotal: 3,
        partsReceived: 3,
        incomplete: false,
        providerMessageIds: 'long-1,long-2,long-3',
      },
    });
  });

  it('publishes what arrived, flagged incomplete, when a part never comes', async () => {
    const [p1, , p3] = splitIntoParts(LONG, 3, { id: 'lost', ref: 78 });
    const res = await push({ messages: [p1, p3] });
    const petitionId = res.json.results?.[0]?.petitionId;
    expect(res.json.results?.[1]?.petitionId).toBe(petitionId);
    // The fixture's timeout is 3 s; nothing may be published before it.
    await new Promise((r) => setTimeout(r, 1500));
    expect(eventsFor(petitionId)).toHaveLength(0);
    await stack.events.waitFor(() => eventsFor(petitionId).length > 0, 15000);
    const [event] = eventsFor(petitionId);
    expect(petitionEventProblems(event)).toEqual([]);
    expect(event).toMatchObject({
      original: String(p1?.text) + String(p3?.text),
      meta: { incomplete: true, partsReceived: 2, partsTotal: 3, missingParts: '2' },
    });
  });

  it('keeps acknowledged parts across a gateway restart', async () => {
    const namespace = stack.topics.raw.replace(/petition\.raw\.v1$/, '');
    const dir = stateDir();
    const boot = async (): Promise<NestFastifyApplication> => {
      const app = await createGatewayApp(
        loadGatewayEnv({
          KAFKA_BROKERS: stack.brokers.join(','),
          TOPIC_NAMESPACE: namespace,
          TOPIC_PARTITIONS: '3',
          LOG_LEVEL: 'silent',
          ...gatewayEnv(dir),
          SMS_GATEWAY_SWEEP_INTERVAL_MS: '600000',
        }),
      );
      await app.listen(0, '127.0.0.1');
      return app;
    };
    const [p1, p2, p3] = splitIntoParts(LONG, 3, { id: 'restart', ref: 79 });
    const before = await boot();
    const first = await push(
      { messages: [p2, p1] },
      {},
      (await before.getUrl()).replace('[::1]', '127.0.0.1'),
    );
    await before.close();

    const after = await boot();
    try {
      const last = await push(p3, {}, (await after.getUrl()).replace('[::1]', '127.0.0.1'));
      const petitionId = first.json.results?.[0]?.petitionId;
      expect(last.json.results?.[0]?.petitionId).toBe(petitionId);
      await stack.events.waitFor(() => eventsFor(petitionId).length > 0);
      expect(eventsFor(petitionId)[0]).toMatchObject({
        original: LONG,
        meta: { incomplete: false },
      });
    } finally {
      await after.close();
    }
  });

  it.each([
    ['a forged signature', { secret: 'not-the-secret' }, 'signature-invalid'],
    [
      'a replayed (stale) push',
      { timestamp: Math.floor(Date.now() / 1000) - 3600 },
      'timestamp-stale',
    ],
    ['an unknown gateway', { gatewayId: 'intruder' }, 'gateway-unknown'],
  ])('refuses %s with 401 and publishes nothing', async (_name, options, code) => {
    const id = `refused-${code}`;
    const res = await push(gatewayMessage({ id }), options);
    expect(res.status).toBe(401);
    expect(res.json.error?.code).toBe(code);
    const ok = await push(gatewayMessage({ id: `${id}-ok` }));
    await stack.events.waitFor(() => eventsFor(ok.json.results?.[0]?.petitionId).length > 0);
    expect(
      stack.events.json<PetitionEvent>().some((e) => e.idempotencyKey.endsWith(`:${id}`)),
    ).toBe(false);
  });
});
