import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PetitionEvent } from '@app/contracts';
import {
  repoPath,
  startStack,
  TEST_TWILIO_TOKEN,
  twilioInbound,
  twilioSignature,
  type Stack,
} from '@app/testing';
import { SMS_GATEWAY_TEST_SECRET } from '../fixtures/sms-gateway/push';
import {
  contentType,
  errorCode,
  expectHandled,
  fcOptions,
  hostileBody,
  hostileText,
  send,
  streamChunked,
} from '../fixtures/hostile/hostile';

const BODY_LIMIT = 64 * 1024;
const ROUTES = [
  '/channels/sms/twilio',
  '/channels/sms/gateway',
  '/channels/mailbox',
  '/channels/board/posts',
  '/mailbox/zhongxian-county-head',
];

/**
 * Body limits on every route (413 with a code, while streaming), the operational endpoints and
 * unknown routes under hostile input, through the real gateway on the real broker.
 */
describe('hostile input: limits, operational endpoints and unknown routes', () => {
  let stack: Stack;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'hostile-http-'));
    stack = await startStack({
      gatewayEnv: {
        CHANNELS_CONFIG: repoPath('test/fixtures/hostile/channels.yaml'),
        GATEWAY_STATE_DIR: stateDir,
        SMS_GATEWAY_TEST_SECRET,
        BODY_LIMIT_BYTES: String(BODY_LIMIT),
        MAILBOX_QUERY_CODE_SECRET: 'hostile-http-query-secret',
      },
    });
  });

  afterAll(async () => {
    await stack.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it.each(
    ROUTES.flatMap((route) =>
      ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=B']
        .filter((t) => !(t.startsWith('multipart') && !route.includes('mailbox')))
        .map((type) => [route, type] as const),
    ),
  )('%s (%s): a body over BODY_LIMIT_BYTES with Content-Length gets 413', async (route, type) => {
    const body = type.startsWith('multipart')
      ? `--B\r\nContent-Disposition: form-data; name="content"\r\n\r\n${'x'.repeat(BODY_LIMIT * 4)}\r\n--B--\r\n`
      : 'a'.repeat(BODY_LIMIT + 1);
    const res = await send(stack.url, { path: route, headers: { 'content-type': type }, body });
    if (type.startsWith('multipart')) {
      // Multipart is streamed part by part, each under its own limit (fields 64 KiB, files the
      // mailbox's maxBytes): an oversized field is cut and the letter refused, never stored.
      expectHandled(res, `${route} multipart`);
      expect(res.status).toBeGreaterThanOrEqual(400);
    } else expect([res.status, errorCode(res)]).toEqual([413, 'payload-too-large']);
    expect(res.status).toBeLessThan(500);
  });

  it.each(ROUTES.slice(0, 4))(
    '%s: 5 MB sent chunked (no Content-Length) is refused with 413 long before it is all sent',
    async (route) => {
      const total = 5 * 1024 * 1024;
      const rss = process.memoryUsage().rss;
      const res = await streamChunked(
        stack.url,
        route,
        { 'content-type': 'application/json', authorization: 'Bearer x' },
        total,
      );
      expect(res.status).toBe(413);
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'payload-too-large' } });
      // Refused while streaming: the answer came after about BODY_LIMIT bytes, not after 5 MB.
      expect(res.sentBeforeResponse).toBeLessThan(total / 4);
      // Nothing near 5 MB per request was buffered (gateway and test share this process).
      expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 1024 * 1024);
    },
  );

  it('a chunked body under the limit is accepted as usual', async () => {
    const url = `${stack.url}/channels/sms/twilio`;
    const params = twilioInbound({ MessageSid: 'SM' + 'c'.repeat(32) });
    const res = await send(stack.url, {
      path: '/channels/sms/twilio',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TEST_TWILIO_TOKEN, url, params),
      },
      body: new URLSearchParams(params).toString(),
      chunked: true,
    });
    expect(res.status).toBe(200);
    const petitionId = /XF-[0-9A-Z]{13}/.exec(res.text)?.[0];
    await stack.events.waitFor(() =>
      stack.events.json<PetitionEvent>().some((e) => e.petitionId === petitionId),
    );
  });

  it('GET /health, GET /metrics and unknown routes: any method, path, body answer below 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
        fc.oneof(
          fc.constantFrom(
            '/health',
            '/metrics',
            '/',
            '/channels',
            '/channels/',
            '/channels/sms',
            '/channels/nope',
            '/channels/sms/twilio/../gateway',
            '/channels/%2e%2e/health',
            '/channels/sms%2Ftwilio',
            '/mailbox',
            '/mailbox/',
            '/%00',
            '/%ff',
            '/health?x=<script>',
            '/metrics?' + 'a=1&'.repeat(500),
            '//health',
          ),
          // Under Node's 16 KiB header limit (beyond it Node answers 431 before any of our code).
          hostileText.map(
            (t) => '/' + encodeURIComponent(t.replace(/[\ud800-\udfff]/g, '').slice(0, 500)),
          ),
        ),
        contentType,
        hostileBody,
        async (method, path, type, body) => {
          const withBody = !['GET', 'HEAD'].includes(method);
          const res = await send(stack.url, {
            method,
            path,
            headers: { 'content-type': type },
            body: withBody ? body : undefined,
          });
          if (method === 'HEAD') expect(res.status).toBeLessThan(500);
          else expectHandled(res, `${method} ${path.slice(0, 100)}`);
        },
      ),
      fcOptions(),
    );
    const health = await send(stack.url, { method: 'GET', path: '/health' });
    expect(health.status).toBe(200);
    const metrics = await send(stack.url, { method: 'GET', path: '/metrics' });
    expect(metrics.status).toBe(200);
  });

  it('unknown channel routes get 404 with a code, whatever the body', async () => {
    for (const path of ['/channels/nope', '/channels/sms/nope', '/channels/email']) {
      const res = await send(stack.url, {
        path,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect([path, res.status]).toEqual([path, 404]);
      expect(errorCode(res)).toMatch(/^[a-z-]+$/);
    }
  });
});
