import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import type { ClusterAlert, PetitionEvent } from '@app/contracts';
import {
  postTwilio,
  readJsonl,
  repoPath,
  startStack,
  TEST_TWILIO_TOKEN,
  TopicReader,
  twilioInbound,
  type Stack,
} from '@app/testing';

/**
 * Normalizers of one group sharing their dedup state through a real redis-server (REDIS_URL),
 * each with its own state directory: what one instance judged, the next one knows, so a
 * person's second text is a duplicate and a cluster keeps growing whichever instance reads it.
 */
describe('normalizers sharing state through Redis, end to end', () => {
  // Its own port and a fresh data directory: no snapshot of an earlier run is loaded.
  const port = process.env.TEST_REDIS_E2E_PORT ?? '16381';
  const redisEnv = { ...process.env, REDIS_PORT: port, REDIS_DATA_DIR: '' };
  let stack: Stack;
  let clusters: TopicReader;
  let sid = 0;

  beforeAll(async () => {
    redisEnv.REDIS_DATA_DIR = mkdtempSync(join(tmpdir(), 'redis-e2e-'));
    execFileSync('bash', [repoPath('scripts', 'redis.sh'), 'start'], { env: redisEnv });
    stack = await startStack({
      normalizerEnv: { REDIS_URL: `redis://127.0.0.1:${port}`, CLUSTER_ALERT_SIZE: '3' },
    });
    clusters = await new TopicReader(stack.brokers, stack.topics.clusters).start();
  }, 180_000);

  afterAll(async () => {
    try {
      await clusters?.stop();
      await stack?.close();
    } finally {
      execFileSync('bash', [repoPath('scripts', 'redis.sh'), 'stop'], { env: redisEnv });
      rmSync(redisEnv.REDIS_DATA_DIR, { recursive: true, force: true });
    }
  });

  async function sms(from: string, to: string, body: string): Promise<string> {
    const res = await postTwilio(
      stack.url,
      twilioInbound({
        MessageSid: `SM${(++sid).toString(16).padStart(32, 'e')}`,
        From: from,
        To: to,
        Body: body,
      }),
      { token: TEST_TWILIO_TOKEN },
    );
    expect(res.status).toBe(200);
    return res.petitionId;
  }

  async function eventOf(petitionId: string, timeoutMs = 30_000): Promise<PetitionEvent> {
    const find = () => stack.events.json<PetitionEvent>().find((e) => e.petitionId === petitionId);
    await stack.events.waitFor(() => find() !== undefined, timeoutMs);
    return find() as PetitionEvent;
  }

  /** The instances added by the cases, in order, with their /health URLs once served. */
  const instances: NestFastifyApplication[] = [];
  const healthUrls = new Map<NestFastifyApplication, string>();

  async function addInstance(): Promise<NestFastifyApplication> {
    const app = await stack.addNormalizer();
    instances.push(app);
    return app;
  }

  /** Serves /health of `app` (once); returns its URL. */
  async function serve(app: NestFastifyApplication): Promise<string> {
    let url = healthUrls.get(app);
    if (url === undefined) {
      await app.listen(0, '127.0.0.1');
      url = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/health`;
      healthUrls.set(app, url);
    }
    return url;
  }

  /**
   * Polls the URLs until one answers `status` (or 30 s pass); returns that body, or at the deadline
   * the last body read.
   */
  async function firstAt(urls: string[], status: 200 | 503): Promise<unknown> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      for (const url of urls) {
        const res = await fetch(url);
        if (res.status === status || Date.now() > deadline) return res.json();
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const healthAt = (url: string, status: 200 | 503) => firstAt([url], status);
  const healthy = async (app: NestFastifyApplication) => healthAt(await serve(app), 200);

  it('knows on the second instance what the first judged: duplicates, cluster and its alert', async () => {
    const complaint =
      '书记您好！忠县白公街道滨江花园小区门口的排污管破了半个月，污水流到马路上，臭得没法走路，请派人维修。';
    const first = await sms('+8613700005555', '+8613800000001', complaint);
    expect((await eventOf(first)).dedup).toMatchObject({ outcome: 'new' });
    const matter =
      '忠县白公街道滨江花园小区的物业公司这个月起把停车费从每月一百元涨到三百元，没有开业主大会，也没有公示';
    const members = [
      await sms('+8613700006001', '+8613800000003', `${matter}，请领导查处。`),
      await sms('+8613700006002', '+8613800000003', `${matter}，希望政府管一管。`),
    ];
    const before = await Promise.all(members.map((id) => eventOf(id)));
    const clusterId = before[0]?.dedup?.clusterId;
    expect(before.map((e) => e.dedup?.clusterId)).toEqual([clusterId, clusterId]);

    // A second instance joins; the first leaves, so every partition is the second's.
    const second = await addInstance();
    expect(await healthy(second)).toMatchObject({
      status: 'ok',
      dedupStore: { kind: 'redis', ok: true },
    });
    await stack.normalizer?.close();
    stack.normalizer = null;

    const again = await sms('+8613700005555', '+8613800000002', complaint.replace('书记', '县长'));
    expect((await eventOf(again)).dedup).toMatchObject({ outcome: 'duplicate', of: first });
    const third = await eventOf(
      await sms('+8613700006003', '+8613800000003', `${matter}，请有关部门调查处理。`),
    );
    expect(third.dedup).toMatchObject({ outcome: 'new', clusterId, clusterSize: 3 });
    await clusters.waitFor((r) => r.length >= 1, 30_000);
    await clusters.settle();
    expect(clusters.json<ClusterAlert>()).toEqual([
      expect.objectContaining({ clusterId, size: 3 }),
    ]);
  });

  it("judges one person's texts as one petition while two instances read at once", async () => {
    await healthy(await addInstance());
    // Real messages (read at run time), each texted by its own person to all three hotlines at
    // once: the three records are keyed apart, so they are judged on either instance, in any order.
    const texts = readJsonl<{ title?: string; text?: string }>('messages_unlabeled.jsonl')
      .map((m) => `${m.title ?? ''}\n${m.text ?? ''}`)
      .filter((t) => t.length >= 100 && t.length <= 1200)
      .slice(10, 16);
    expect(texts).toHaveLength(6);
    const people = await Promise.all(
      texts.map((text, p) =>
        Promise.all(
          ['+8613800000001', '+8613800000002', '+8613800000003'].map((to) =>
            sms(`+86137100090${p}0`, to, text),
          ),
        ),
      ),
    );
    for (const ids of people) {
      const judged = await Promise.all(ids.map((id) => eventOf(id)));
      const firsts = judged.filter((e) => e.dedup?.outcome === 'new');
      expect(firsts).toHaveLength(1);
      const of = firsts[0]?.petitionId;
      expect(
        judged.filter((e) => e.dedup?.outcome === 'duplicate').map((e) => e.dedup?.of),
      ).toEqual([of, of]);
    }
  });

  it('holds a petition while Redis is down, says why on /health, and publishes it once Redis is back', async () => {
    const url = await serve(await addInstance());
    expect(await healthAt(url, 200)).toMatchObject({ status: 'ok' });
    execFileSync('bash', [repoPath('scripts', 'redis.sh'), 'stop'], { env: redisEnv });
    try {
      expect(await healthAt(url, 503)).toMatchObject({
        status: 'error',
        dedupStore: { kind: 'redis', ok: false, reason: expect.stringMatching(/redis|timeout/) },
      });
      // The gateway does not need Redis: the petition is durable in the raw topic.
      const id = await sms(
        '+8613700007777',
        '+8613800000001',
        '忠县乌杨街道的路灯坏了一个多月，晚上一片漆黑，老人孩子出门很危险，请尽快修好。',
      );
      await new Promise((r) => setTimeout(r, 3000));
      expect(stack.events.json<PetitionEvent>().filter((e) => e.petitionId === id)).toEqual([]);
      execFileSync('bash', [repoPath('scripts', 'redis.sh'), 'start'], { env: redisEnv });
      expect((await eventOf(id, 90_000)).dedup).toMatchObject({ outcome: 'new' });
      await stack.events.settle(3000);
      expect(stack.events.json<PetitionEvent>().filter((e) => e.petitionId === id)).toHaveLength(1);
      expect(stack.deadLetters.records).toEqual([]);
      expect(await healthAt(url, 200)).toMatchObject({ status: 'ok' });
    } finally {
      execFileSync('bash', [repoPath('scripts', 'redis.sh'), 'start'], { env: redisEnv });
    }
  }, 180_000);

  it('says on /health that batches fail while Redis answers pings but refuses writes, and publishes once it writes again', async () => {
    // What a full disk does to Redis (MISCONF) or a lost replica (NOREPLICAS): reads and PING
    // answer, every write is refused. The store's ping cannot tell; the failing batches can.
    const admin = new Redis(Number(port), '127.0.0.1', { lazyConnect: true });
    await admin.connect();
    // Whichever instance owns the petition's partition fails; every earlier case's is still up.
    const urls = await Promise.all([...instances, await addInstance()].map((app) => serve(app)));
    try {
      for (const url of urls) expect(await healthAt(url, 200)).toMatchObject({ status: 'ok' });
      await admin.config('SET', 'min-replicas-to-write', '1');
      const id = await sms(
        '+8613700008888',
        '+8613800000001',
        '忠县白公街道的自来水这三天都是黄色的，烧开了还有沉淀，家里老人小孩不敢喝，请自来水公司查一查。',
      );
      const body = await firstAt(urls, 503);
      expect(body).toMatchObject({
        status: 'error',
        consumer: {
          // kafkajs restarts the consumer after its retries of the batch; the failure stays shown.
          state: expect.stringMatching(/^(consuming|restarting)$/),
          failing: { attempts: expect.any(Number), reason: expect.stringContaining('NOREPLICAS') },
        },
        dedupStore: { kind: 'redis', ok: true },
      });
      expect(JSON.stringify(body)).not.toContain('8888');
      expect(stack.events.json<PetitionEvent>().filter((e) => e.petitionId === id)).toEqual([]);
      await admin.config('SET', 'min-replicas-to-write', '0');
      expect((await eventOf(id, 90_000)).dedup).toMatchObject({ outcome: 'new' });
      await stack.events.settle(3000);
      expect(stack.events.json<PetitionEvent>().filter((e) => e.petitionId === id)).toHaveLength(1);
      expect(stack.deadLetters.records).toEqual([]);
      for (const url of urls) {
        const after = (await healthAt(url, 200)) as { status: string; consumer: object };
        expect(after.status).toBe('ok');
        expect(after.consumer).not.toHaveProperty('failing');
      }
    } finally {
      await admin.config('SET', 'min-replicas-to-write', '0').catch(() => undefined);
      admin.disconnect();
    }
  }, 180_000);
});
