import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PetitionEvent } from '@app/contracts';
import { repoPath, startStack, type Stack } from '@app/testing';
import { PEOPLE_KEY, boardPost } from '../fixtures/board/posts';
import { mailboxLetter } from '../fixtures/mailbox/letters';
import {
  SMS_GATEWAY_TEST_SECRET,
  gatewayHeaders,
  splitIntoParts,
} from '../fixtures/sms-gateway/push';
import { send } from '../fixtures/hostile/hostile';

/**
 * Two gateway replicas sharing their state through a real redis-server (GATEWAY_REDIS_URL), each
 * with its own state directory and spool, requests spread over both as a round-robin balancer
 * would, and a plain read of petition.events.v1: every message once and whole, one update, one
 * number, limits held as configured.
 */
describe('gateway replicas sharing state through Redis, end to end', () => {
  const port = process.env.TEST_REDIS_REPLICAS_PORT ?? '16383';
  const redisEnv = { ...process.env, REDIS_PORT: port, REDIS_DATA_DIR: '' };
  let stack: Stack;
  let urls: [string, string];

  beforeAll(async () => {
    redisEnv.REDIS_DATA_DIR = mkdtempSync(join(tmpdir(), 'redis-replicas-'));
    execFileSync('bash', [repoPath('scripts', 'redis.sh'), 'start'], { env: redisEnv });
    const shared = {
      CHANNELS_CONFIG: repoPath('test/fixtures/hostile/channels.yaml'),
      GATEWAY_REDIS_URL: `redis://127.0.0.1:${port}`,
      SMS_GATEWAY_TEST_SECRET,
      MAILBOX_QUERY_CODE_SECRET: 'replicas-query-secret',
      MAILBOX_RATE_BURST: '4',
      TRUST_PROXY: 'true',
    };
    stack = await startStack({ gatewayEnv: shared });
    const second = await stack.addGateway();
    urls = [stack.url, second.url];
  }, 180_000);

  afterAll(async () => {
    try {
      await stack?.close();
    } finally {
      execFileSync('bash', [repoPath('scripts', 'redis.sh'), 'stop'], { env: redisEnv });
      rmSync(redisEnv.REDIS_DATA_DIR, { recursive: true, force: true });
    }
  });

  const events = () => stack.events.json<PetitionEvent>();

  it('parts of one SMS sent to both replicas at once make one petition, whole', async () => {
    const text =
      '县长您好：我是忠县白石镇的村民，我们村的自来水已经停了五天，村里老人只能到河边挑水，请尽快派人抢修管道，谢谢。';
    const parts = splitIntoParts(text, 4, { id: 'rep-sms', ref: 77, from: '13912340077' });
    const answers = await Promise.all(
      parts.map((part, i) => {
        const body = JSON.stringify(part);
        return send(urls[i % 2]!, {
          path: '/channels/sms/gateway',
          headers: { 'content-type': 'application/json', ...gatewayHeaders(body) },
          body,
        });
      }),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const numbers = new Set(
      answers.map(
        (a) => (JSON.parse(a.text) as { results: { petitionId: string }[] }).results[0]!.petitionId,
      ),
    );
    expect(numbers.size).toBe(1);
    const [petitionId] = [...numbers];
    await stack.events.waitFor(() => events().some((e) => e.petitionId === petitionId));
    await new Promise((r) => setTimeout(r, 1500));
    const found = events().filter((e) => e.petitionId === petitionId);
    expect(found).toHaveLength(1);
    expect(found[0]!.body).toContain('请尽快派人抢修管道');
    expect(found[0]!.body).toContain('我是忠县白石镇的村民');
  });

  it('a board post at one replica, its edit at both at once: one update', async () => {
    const post = boardPost({ postId: 'rep-100' });
    const push = (url: string, p: Record<string, unknown>) =>
      send(url, {
        path: '/channels/board/posts',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${PEOPLE_KEY}` },
        body: JSON.stringify({ posts: [p] }),
      });
    expect((await push(urls[0], post)).status).toBe(200);
    const edited = { ...post, content: `${String(post.content)}补充：昨晚又施工到凌晨三点。` };
    const both = await Promise.all([push(urls[0], edited), push(urls[1], edited)]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    const statuses = both.map(
      (r) => (JSON.parse(r.text) as { results: { status: string }[] }).results[0]!.status,
    );
    expect(statuses.sort()).toEqual(['unchanged', 'updated']);
    const petitionId = (JSON.parse(both[0].text) as { results: { petitionId: string }[] })
      .results[0]!.petitionId;
    await stack.events.waitFor(
      () => events().filter((e) => e.petitionId === petitionId).length >= 2,
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(events().filter((e) => e.petitionId === petitionId)).toHaveLength(2);
  });

  it('a letter re-posted at the other replica, and at both at once, gets one number', async () => {
    const letter = mailboxLetter({
      submissionId: 'replicas-form-0001',
      title: '副本测试：小区天然气迟迟未通',
    });
    const post = (url: string, ip: string) =>
      send(url, {
        path: '/channels/mailbox',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify(letter),
      });
    const answers = [
      ...(await Promise.all([post(urls[0], '198.51.100.1'), post(urls[1], '198.51.100.2')])),
      await post(urls[1], '198.51.100.3'),
    ];
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 201]);
    const ids = new Set(
      answers.map((a) => (JSON.parse(a.text) as { petitionId: string }).petitionId),
    );
    expect(ids.size).toBe(1);
  });

  it('a rate limit holds for the deployment, not once per replica', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await send(urls[i % 2]!, {
        path: '/channels/mailbox',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.99' },
        body: JSON.stringify(mailboxLetter({ title: `限流测试第${i}封：小区天然气迟迟未通` })),
      });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(6);
  });
});
