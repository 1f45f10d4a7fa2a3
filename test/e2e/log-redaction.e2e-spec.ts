import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
import { PEOPLE_KEY, boardPost } from '../fixtures/board/posts';
import { mailboxLetter, residentId } from '../fixtures/mailbox/letters';
import {
  SMS_GATEWAY_TEST_SECRET,
  gatewayHeaders,
  gatewayMessage,
} from '../fixtures/sms-gateway/push';
import { send } from '../fixtures/hostile/hostile';

/** Personal data the traffic is full of; none of it may reach a log line, in any spelling. */
const PHONES = [
  '13912345678',
  '139 1234 5678',
  '139-2345-6789',
  '+86 137 1234 5678',
  '+8613612345678',
  '１３５１２３４５６７８',
  '023-63881234',
  '(023) 6388 1234',
] as const;
const IDS = [
  residentId('50023319800101001'),
  residentId('11010519491231002'),
  '11010519491231002X',
];
const EMAILS = ['wang.jianguo@example.com', 'li.xiuying@mail.example.cn'] as const;
const NAMES = ['王建国', '李秀英', '张三丰'] as const;

/** Every form the values could be logged in: as given, digits only, E.164, full-width folded. */
function forbidden(): string[] {
  const digits = (v: string) => v.normalize('NFKC').replace(/\D/g, '');
  const out = new Set<string>();
  for (const p of PHONES) {
    out.add(p);
    out.add(digits(p));
    out.add(p.normalize('NFKC'));
    if (/^1\d{10}$/.test(digits(p))) out.add(`+86${digits(p)}`);
  }
  out.add('+862363881234');
  for (const v of [...IDS, ...EMAILS, ...NAMES]) out.add(v);
  // Percent-encoded, as a path carries them (both hex cases).
  for (const v of [...out]) {
    const encoded = encodeURIComponent(v);
    if (encoded === v) continue;
    out.add(encoded);
    out.add(encoded.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
  }
  return [...out];
}

const TEXT = `领导您好：我是${NAMES[0]}，电话${PHONES[0]}，也可打${PHONES[6]}或${PHONES[5]}，身份证${IDS[0]}，邮箱${EMAILS[0]}。我邻居${NAMES[1]}（${PHONES[2]}）也受影响，小区路灯坏了两个月。`;

/**
 * Drives traffic full of phone numbers, resident ID numbers, e-mail addresses and names through
 * every HTTP channel (accepted items, rejected items, refused requests, query strings, headers)
 * with both apps logging at debug into files, then reads every line.
 */
describe('log redaction, end to end', () => {
  let stack: Stack;
  let dir: string;
  let gatewayLog: string;
  let normalizerLog: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'log-redaction-'));
    gatewayLog = join(dir, 'gateway.log');
    normalizerLog = join(dir, 'normalizer.log');
    stack = await startStack({
      gatewayEnv: {
        CHANNELS_CONFIG: repoPath('test/fixtures/hostile/channels.yaml'),
        GATEWAY_STATE_DIR: join(dir, 'state'),
        SMS_GATEWAY_TEST_SECRET,
        MAILBOX_QUERY_CODE_SECRET: 'log-redaction-query-secret',
        LOG_LEVEL: 'debug',
        LOG_FILE: gatewayLog,
      },
      normalizerEnv: { LOG_LEVEL: 'debug', LOG_FILE: normalizerLog },
    });
  });

  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Header values travel as bytes: a name goes as its UTF-8 bytes (what browsers send). */
  const utf8 = (v: string) => Buffer.from(v, 'utf8').toString('latin1');
  const pii = {
    'x-caller': utf8(`${NAMES[2]} ${PHONES[3]}`),
    'user-agent': `Mozilla/5.0 (${EMAILS[1]}; ${IDS[1]})`,
    referer: `https://example.gov.cn/?tel=${PHONES[4]}&name=${encodeURIComponent(NAMES[2])}`,
    'x-request-id': PHONES[0],
  };

  async function drive(): Promise<string[]> {
    const accepted: string[] = [];
    const q = `?phone=${encodeURIComponent(PHONES[1])}&id=${IDS[2]}&email=${EMAILS[1]}&name=${encodeURIComponent(NAMES[0])}`;

    // Twilio: accepted (query string signed too), a bad signature, a malformed request.
    const twilioPath = `/channels/sms/twilio${q}`;
    const params = twilioInbound({
      MessageSid: 'SM' + 'd'.repeat(32),
      From: PHONES[4],
      Body: TEXT,
    });
    const ok = await send(stack.url, {
      path: twilioPath,
      headers: {
        ...pii,
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TEST_TWILIO_TOKEN, stack.url + twilioPath, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(ok.status).toBe(200);
    accepted.push(/XF-[0-9A-Z]{13}/.exec(ok.text)![0]);
    for (const [signature, body] of <[string, string][]>[
      ['bad', new URLSearchParams(params).toString()],
      [
        twilioSignature(TEST_TWILIO_TOKEN, stack.url + '/channels/sms/twilio', {
          From: PHONES[1],
          Body: TEXT,
        }),
        new URLSearchParams({ From: PHONES[1], Body: TEXT }).toString(),
      ],
    ]) {
      const res = await send(stack.url, {
        path: '/channels/sms/twilio',
        headers: {
          ...pii,
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signature,
        },
        body,
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
    }

    // SMS gateway: a batch with a good and a rejected message, a bad signature, invalid JSON.
    const batch = JSON.stringify({
      messages: [
        gatewayMessage({ id: 'pii-1', from: PHONES[2], text: TEXT }),
        gatewayMessage({ id: 'pii-2', from: PHONES[0], text: '', receivedAt: PHONES[5] }),
      ],
    });
    const gw = await send(stack.url, {
      path: `/channels/sms/gateway${q}`,
      headers: { ...pii, ...gatewayHeaders(batch) },
      body: batch,
    });
    expect(gw.status).toBe(200);
    accepted.push(
      (JSON.parse(gw.text) as { results: { petitionId?: string }[] }).results[0]!.petitionId!,
    );
    await send(stack.url, {
      path: '/channels/sms/gateway',
      headers: { ...pii, ...gatewayHeaders(batch, { secret: 'wrong-secret-wrong-secret' }) },
      body: batch,
    });
    const invalid = `{"from":"${PHONES[0]}","text":"${IDS[0]}"`;
    await send(stack.url, {
      path: '/channels/sms/gateway',
      headers: { ...pii, ...gatewayHeaders(invalid) },
      body: invalid,
    });

    // Mailbox: a JSON letter, an invalid one, a form on the page, invalid JSON.
    const letter = mailboxLetter({
      name: NAMES[1],
      phone: PHONES[6],
      idNumber: IDS[0],
      email: EMAILS[0],
      address: `重庆市忠县，联系人${NAMES[2]}，电话${PHONES[3]}`,
      title: `${NAMES[0]}反映路灯问题`,
      content: TEXT,
    });
    const mb = await send(stack.url, {
      path: `/channels/mailbox${q}`,
      headers: { ...pii, 'content-type': 'application/json' },
      body: JSON.stringify(letter),
    });
    expect(mb.status).toBe(201);
    accepted.push((JSON.parse(mb.text) as { petitionId: string }).petitionId);
    await send(stack.url, {
      path: '/channels/mailbox',
      headers: { ...pii, 'content-type': 'application/json' },
      body: JSON.stringify({
        ...letter,
        idNumber: '11010519491231002Y',
        phone: PHONES[5],
        spam: EMAILS[1],
      }),
    });
    await send(stack.url, {
      path: `/mailbox/zhongxian-county-head${q}`,
      headers: { ...pii, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...(letter as Record<string, string>), phone: 'x' }).toString(),
    });
    await send(stack.url, {
      path: '/channels/mailbox',
      headers: { ...pii, 'content-type': 'application/json' },
      body: `{"name":"${NAMES[0]}","phone":"${PHONES[0]}"`,
    });

    // Board: a post by a named author full of personal data, a bad key, a forbidden board.
    const post = boardPost({
      postId: 'pii-1',
      author: NAMES[2],
      content: TEXT,
      title: `${NAMES[1]}${PHONES[1]}`,
    });
    const board = await send(stack.url, {
      path: `/channels/board/posts${q}`,
      headers: {
        ...pii,
        'content-type': 'application/json',
        authorization: `Bearer ${PEOPLE_KEY}`,
      },
      body: JSON.stringify({ posts: [post, { ...post, postId: PHONES[0], url: EMAILS[0] }] }),
    });
    expect(board.status).toBe(200);
    accepted.push(
      (JSON.parse(board.text) as { results: { petitionId: string }[] }).results[0]!.petitionId,
    );
    for (const key of [`${PHONES[0]}-${EMAILS[0]}`, PEOPLE_KEY]) {
      await send(stack.url, {
        path: '/channels/board/posts',
        headers: { ...pii, 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({
          posts: [{ ...post, board: key === PEOPLE_KEY ? 'people-cq-mayor' : post.board }],
        }),
      });
    }

    // Unknown routes and other methods carry it too.
    await send(stack.url, { method: 'GET', path: `/channels/${PHONES[0]}${q}`, headers: pii });
    await send(stack.url, { method: 'GET', path: `/health${q}`, headers: pii });
    // Percent-encoded in the path: decoded before redaction (48 lines leaked this way).
    for (const v of [PHONES[3], PHONES[4], PHONES[5], EMAILS[0], NAMES[1], ...IDS.slice(0, 1)]) {
      const segment = encodeURIComponent(v);
      await send(stack.url, { method: 'GET', path: `/mailbox/${segment}`, headers: pii });
      await send(stack.url, {
        path: `/mailbox/${segment}`,
        headers: { ...pii, 'content-type': 'application/json' },
        body: '{}',
      });
      await send(stack.url, { method: 'GET', path: `/channels/${segment}/x`, headers: pii });
      await send(stack.url, { method: 'GET', path: `/${segment.toLowerCase()}`, headers: pii });
    }
    return accepted;
  }

  it('logs requests at debug in both apps, and no phone, ID number, e-mail or name in any line', async () => {
    const accepted = await drive();
    // Wait until the normalizer has judged every accepted item, so its logs are complete too.
    await stack.events.waitFor(
      () =>
        accepted.every((id) => stack.events.json<PetitionEvent>().some((e) => e.petitionId === id)),
      30000,
    );
    await stack.events.settle(500);
    const lines = [
      ...readFileSync(gatewayLog, 'utf8').split('\n'),
      ...readFileSync(normalizerLog, 'utf8').split('\n'),
    ].filter(Boolean);

    // The test can fail: logs are really written, at debug, from every route and both apps.
    // (In one process nestjs-pino keeps one logger for code outside a request: the normalizer's
    // lines may land in the gateway's file. Both files are read.)
    expect(lines.length).toBeGreaterThan(30);
    for (const route of [
      '/channels/sms/twilio',
      '/channels/sms/gateway',
      '/channels/mailbox',
      '/channels/board/posts',
    ])
      expect(lines.some((l) => l.includes(route))).toBe(true);
    expect(lines.some((l) => l.includes('"context":"Normalizer"'))).toBe(true);
    // …and the traffic really carried the personal data: it is in the events.
    const events = JSON.stringify(stack.events.json<PetitionEvent>());
    for (const value of [PHONES[0], IDS[0], EMAILS[0], NAMES[0]]) expect(events).toContain(value);

    const leaks = lines.flatMap((line) =>
      forbidden()
        .filter((value) => line.includes(value))
        .map((value) => `${value} in ${line.slice(0, 400)}`),
    );
    expect(leaks).toEqual([]);
  });
});
