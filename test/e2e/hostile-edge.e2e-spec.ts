import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EVENT_LOOP_BOUND_MS,
  repoPath,
  startStack,
  leastLoopDelay,
  type Stack,
} from '@app/testing';
import { AdminServer } from '../../apps/gateway/src/admin/admin.server';
import { PEOPLE_KEY, boardPost } from '../fixtures/board/posts';
import { mailboxLetter } from '../fixtures/mailbox/letters';
import { SMS_GATEWAY_TEST_SECRET } from '../fixtures/sms-gateway/push';
import { errorCode, send } from '../fixtures/hostile/hostile';

const REQUEST_TIMEOUT_MS = 2000;
const HEADERS_TIMEOUT_MS = 1500;
const AUTH_FAILURE_BURST = 6;

/** Writes `head` on a raw socket, never more, and collects what the server says until it closes. */
function rawExchange(
  url: string,
  head: string,
  waitMs = 10_000,
): Promise<{ text: string; ms: number }> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(head));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, ms: Date.now() - started }));
    setTimeout(() => {
      socket.destroy();
      resolve({ text, ms: Date.now() - started });
    }, waitMs).unref();
  });
}

function jsonOf(raw: string): { error?: { code?: string } } {
  return JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { error?: { code?: string } };
}

/**
 * The edges every route shares (issue 24 items 4, 7, 12, 14): the client address behind a proxy,
 * failed-authentication throttling, slow and malformed requests, framing headers and the admin
 * port, through the real gateway on the real broker.
 */
describe('hostile input: the shared edge', () => {
  let stack: Stack;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'hostile-edge-'));
    stack = await startStack({
      withNormalizer: false,
      gatewayEnv: {
        CHANNELS_CONFIG: repoPath('test/fixtures/hostile/channels.yaml'),
        GATEWAY_STATE_DIR: stateDir,
        SMS_GATEWAY_TEST_SECRET,
        MAILBOX_QUERY_CODE_SECRET: 'hostile-edge-query-secret',
        MAILBOX_RATE_BURST: '5',
        TRUST_PROXY: 'true',
        REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        AUTH_FAILURE_BURST: String(AUTH_FAILURE_BURST),
        ADMIN_PORT: '0',
        LOG_LEVEL: 'info',
        LOG_FILE: join(stateDir, 'gateway.log'),
      },
    });
  });

  afterAll(async () => {
    await stack?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('behind a proxy, the mailbox limit keys on the address the proxy added, not the client’s', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await send(stack.url, {
        path: '/channels/mailbox',
        // A forged leftmost entry per request; the proxy appended the same real address.
        headers: {
          'content-type': 'application/json',
          'x-forwarded-for': `198.51.100.${i + 1}, 203.0.113.77`,
        },
        body: JSON.stringify(mailboxLetter({ title: `第${i}封信：小区天然气迟迟未通` })),
      });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s < 300)).toHaveLength(5);
    expect(statuses.slice(5)).toEqual(Array(7).fill(429));
  });

  it('throttles failed authentications per address across routes, right keys included', async () => {
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    const board = (key: string, ip: string) =>
      send(stack.url, {
        path: '/channels/board/posts',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${key}`,
          ...from(ip),
        },
        body: JSON.stringify({ posts: [boardPost({ postId: `edge-${Date.now()}` })] }),
      });
    const attacker = '203.0.113.10';
    const statuses: number[] = [];
    for (let i = 0; i < AUTH_FAILURE_BURST; i++)
      statuses.push((await board(`wrong-${i}`, attacker)).status);
    expect(statuses).toEqual(Array(AUTH_FAILURE_BURST).fill(401));
    // The SMS gateway route shares the count: its next guess is refused before it is checked.
    const sms = await send(stack.url, {
      path: '/channels/sms/gateway',
      headers: { 'content-type': 'application/json', 'x-gateway-id': 'nope', ...from(attacker) },
      body: '{}',
    });
    expect([sms.status, errorCode(sms)]).toEqual([429, 'rate-limited']);
    expect(Number(sms.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(sms.text)).toMatchObject({
      error: { reason: 'too-many-failed-authentications' },
    });
    expect((await board(PEOPLE_KEY, attacker)).status).toBe(429);
    // Another address is untouched, and the public mailbox is not an authenticated route.
    expect((await board(PEOPLE_KEY, '203.0.113.11')).status).toBe(200);
  });

  it.each([
    [
      'idle after its headers',
      'POST /channels/board/posts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"po',
    ],
    ['headers never finished', 'POST /channels/board/posts HTTP/1.1\r\nHost: x\r\nX-Slow: '],
  ])('a request %s is answered 408 in our format and closed', async (_name, head) => {
    const { text, ms } = await rawExchange(stack.url, head);
    expect(text.startsWith('HTTP/1.1 408')).toBe(true);
    expect(jsonOf(text).error?.code).toBe('request-timeout');
    // The bound plus Node's one-second check interval, with room for a loaded machine.
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + 4000);
  });

  it.each([
    ['a malformed request line', 'GARBAGE\r\n\r\n', 400, 'malformed-request'],
    [
      'headers beyond the limit',
      `GET /health HTTP/1.1\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
      431,
      'headers-too-large',
    ],
    [
      'CONNECT',
      'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
      405,
      'method-not-allowed',
    ],
  ])('%s gets %s in our error format', async (_name, head, status, code) => {
    const { text } = await rawExchange(stack.url, head);
    expect(text.startsWith(`HTTP/1.1 ${status}`)).toBe(true);
    expect(jsonOf(text).error?.code).toBe(code);
  });

  it('every answer forbids framing, the API and the page alike', async () => {
    for (const [method, path] of [
      ['GET', '/mailbox/zhongxian-county-head'],
      ['POST', '/channels/mailbox'],
      ['GET', '/nowhere'],
    ] as const) {
      const res = await send(stack.url, {
        method,
        path,
        headers: { 'content-type': 'application/json' },
        body: method === 'POST' ? '{}' : undefined,
      });
      expect([path, res.headers['x-frame-options']]).toEqual([path, 'DENY']);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  /** Bodies just under the default 1 MiB limit, shaped to make parsing and validation work hard. */
  const MIB = 1024 * 1024;
  const json = 'application/json';
  const form = 'application/x-www-form-urlencoded';
  const SHAPES: [string, string, () => string][] = [
    [
      '1,000 keys of 1 KiB',
      json,
      () =>
        `{${Array.from({ length: 1000 }, (_, i) => `"k${i}":"${'x'.repeat(1000)}"`).join(',')}}`,
    ],
    [
      'too many keys',
      json,
      () => `{${Array.from({ length: 60_000 }, (_, i) => `"${i}":1`).join(',')}}`,
    ],
    ['one huge string', json, () => JSON.stringify('字'.repeat(MIB / 3 - 10))],
    ['deep nesting', json, () => '['.repeat(MIB / 2 - 1) + ']'.repeat(MIB / 2 - 1)],
    [
      'tiny values',
      json,
      () =>
        `[${Array(MIB / 2 - 2)
          .fill('1')
          .join(',')}]`,
    ],
    [
      'big integers',
      json,
      () =>
        `[${Array(Math.floor(MIB / 22))
          .fill('12345678901234567890')
          .join(',')}]`,
    ],
    [
      'many form fields',
      form,
      () => Array.from({ length: 100_000 }, (_, i) => `f${i}=1`).join('&'),
    ],
    ['form: one huge field', form, () => `content=${'x'.repeat(MIB - 20)}`],
  ];
  const ROUTES = [
    '/channels/sms/twilio',
    '/channels/sms/gateway',
    '/channels/board/posts',
    '/channels/mailbox',
    '/mailbox/zhongxian-county-head',
  ];

  it('no body at the limit holds the event loop past the bound, on any route', async () => {
    const over: string[] = [];
    let client = 0;
    for (const [name, type, build] of SHAPES) {
      const body = build();
      expect(Buffer.byteLength(body)).toBeLessThan(MIB);
      // Once unmeasured: the first body of a shape compiles its code path (JIT), once per process.
      await send(stack.url, { path: ROUTES[0]!, headers: { 'content-type': type }, body });
      for (const path of ROUTES) {
        const { ms, result: res } = await leastLoopDelay(() =>
          send(stack.url, {
            path,
            // An address per request, so the mailbox's rate limit leaves the real work to do.
            headers: {
              'content-type': type,
              'x-forwarded-for': `10.9.${client >> 8}.${client++ & 255}`,
            },
            body,
          }),
        );
        expect([path, name, res.status < 500]).toEqual([path, name, true]);
        if (ms > EVENT_LOOP_BOUND_MS) over.push(`${path} ${name}: ${ms.toFixed(0)} ms`);
      }
    }
    expect(over).toEqual([]);
  });

  it('every route counts its refusals by code and logs each once, without personal data', async () => {
    const refused: [string, Record<string, string>, string, string][] = [
      ['/channels/board/posts', { authorization: 'Bearer wrong-key-13912345678' }, '{}', '401'],
      ['/channels/sms/gateway', { 'x-gateway-id': 'nope' }, '{}', '401'],
      ['/channels/mailbox', {}, '"13912345678"', '415'],
      [
        '/mailbox/zhongxian-county-head',
        {},
        '{"a":' + '['.repeat(40) + ']'.repeat(40) + '}',
        '400',
      ],
      ['/channels/no-such-channel', {}, '{}', '404'],
    ];
    for (const [path, headers, body, status] of refused) {
      const res = await send(stack.url, {
        path,
        headers: {
          'content-type': 'application/json',
          'x-forwarded-for': '203.0.113.150',
          ...headers,
        },
        body,
      });
      expect([path, String(res.status)]).toEqual([path, status]);
    }
    const admin = `http://127.0.0.1:${stack.gateway.get(AdminServer).port}`;
    const metrics = (await send(admin, { method: 'GET', path: '/metrics' })).text;
    for (const [route, code] of [
      ['/channels/board/posts', 'key-missing|key-invalid|unauthorized'],
      ['/channels/sms/gateway', 'gateway-unknown'],
      ['/channels/mailbox', 'invalid-body'],
      ['/mailbox/:id', 'json-too-deep'],
    ]) {
      expect(metrics).toMatch(
        new RegExp(`petition_gateway_refusals_total\\{route="${route}",code="(${code})"\\} \\d+`),
      );
    }
    const lines = readFileSync(join(stateDir, 'gateway.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"request refused"'));
    const byRoute = (route: string) => lines.filter((l) => l.includes(`"route":"${route}"`));
    expect(byRoute('/channels/sms/gateway').length).toBeGreaterThanOrEqual(1);
    expect(byRoute('/mailbox/:id').some((l) => l.includes('"code":"json-too-deep"'))).toBe(true);
    expect(lines.filter((l) => l.includes('13912345678'))).toEqual([]);
  });

  it('with ADMIN_PORT, /metrics and /health answer there and 404 on the public port', async () => {
    const port = stack.gateway.get(AdminServer).port;
    expect(port).toEqual(expect.any(Number));
    const admin = `http://127.0.0.1:${port}`;
    const metrics = await send(admin, { method: 'GET', path: '/metrics' });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('petition_gateway_items_total');
    expect([200, 503]).toContain((await send(admin, { method: 'GET', path: '/health' })).status);
    for (const path of ['/metrics', '/health', '/health/']) {
      const res = await send(stack.url, { method: 'GET', path });
      expect([path, res.status, errorCode(res)]).toEqual([path, 404, 'not-found']);
    }
  });
});
