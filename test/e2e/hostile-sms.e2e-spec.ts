import fc from 'fast-check';
import { createHmac } from 'node:crypto';
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
import { SMS_GATEWAY_TEST_SECRET, gatewayMessage } from '../fixtures/sms-gateway/push';
import {
  assertNoPrototypePollution,
  contentType,
  deepJson,
  errorCode,
  expectHandled,
  fcOptions,
  hostileBody,
  hostileDate,
  hostileKey,
  hostileText,
  hostileValue,
  safeStringify,
  send,
  type RawResponse,
} from '../fixtures/hostile/hostile';

const BODY_LIMIT = 64 * 1024;

interface Result {
  id: string;
  status: string;
  petitionId?: string;
  code?: string;
}

/**
 * Hostile input to both SMS endpoints, through the real gateway and normalizer on the real broker:
 * whatever arrives gets a 4xx with a reason (never a 5xx), and good messages sent among the bad
 * ones still become canonical events.
 */
describe('hostile input: SMS endpoints', () => {
  let stack: Stack;
  let stateDir: string;
  /** Tracking numbers of good messages sent among hostile ones; each must reach the topic. */
  const goodPetitions = new Set<string>();
  let serial = 0;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'hostile-sms-'));
    stack = await startStack({
      gatewayEnv: {
        CHANNELS_CONFIG: repoPath('test/fixtures/hostile/channels.yaml'),
        GATEWAY_STATE_DIR: stateDir,
        SMS_GATEWAY_TEST_SECRET,
        BODY_LIMIT_BYTES: String(BODY_LIMIT),
        // These suites send thousands of bad credentials on purpose from one address; the
        // failed-authentication throttle (tested in hostile-http) would answer the rest 429.
        AUTH_FAILURE_BURST: '100000',
      },
    });
  });

  afterAll(async () => {
    await stack.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  // ---- Twilio -------------------------------------------------------------------------------

  const twilioUrl = () => `${stack.url}/channels/sms/twilio`;

  function postTwilioForm(params: Record<string, string>): Promise<RawResponse> {
    const body = new URLSearchParams(params).toString();
    // Sign what the server will parse (URLSearchParams replaces lone surrogates).
    const parsed = Object.fromEntries(new URLSearchParams(body));
    return send(stack.url, {
      path: '/channels/sms/twilio',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TEST_TWILIO_TOKEN, twilioUrl(), parsed),
      },
      body,
    });
  }

  async function goodTwilio(): Promise<void> {
    serial++;
    const sid = 'SM' + serial.toString(16).padStart(32, 'a');
    const res = await postTwilioForm(twilioInbound({ MessageSid: sid, SmsMessageSid: sid }));
    expect(res.status).toBe(200);
    const petitionId = /XF-[0-9A-Z]{13}/.exec(res.text)?.[0];
    expect(petitionId).toBeDefined();
    goodPetitions.add(petitionId!);
  }

  it('Twilio: any body with any content type, unsigned, gets a coded 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(contentType, hostileBody, async (type, body) => {
        const res = await send(stack.url, {
          path: '/channels/sms/twilio',
          headers: { 'content-type': type, 'x-twilio-signature': 'bm9wZQ==' },
          body,
        });
        expectHandled(res, `content-type ${JSON.stringify(type)}`);
        expect(res.status).toBeGreaterThanOrEqual(400);
      }),
      fcOptions(),
    );
    await goodTwilio();
  });

  it('Twilio: correctly signed forms with hostile fields are answered, never a 5xx', async () => {
    const field = fc.option(hostileText, { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          MessageSid: fc.oneof(
            field,
            fc.nat().map((n) => 'SM' + n.toString(16).padStart(32, '0')),
          ),
          From: field,
          To: fc.oneof(field, fc.constant('+8613800000002')),
          Body: fc.oneof(field, fc.constant('县长您好：<script>alert(1)</script>')),
          NumMedia: fc.oneof(field, fc.constantFrom('1e3', '-0', '0x1', '11', '2.5')),
          NumSegments: field,
          AccountSid: field,
        }),
        fc.dictionary(hostileKey, hostileText, { maxKeys: 4 }),
        async (fields, extra) => {
          const params = Object.fromEntries(
            Object.entries({ ...extra, ...fields }).filter(
              (e): e is [string, string] => typeof e[1] === 'string',
            ),
          );
          const res = await postTwilioForm(params);
          expectHandled(res, `params ${safeStringify(params).slice(0, 200)}`);
          if (res.status === 200) expect(res.text).toContain('<Response>');
        },
      ),
      fcOptions(),
    );
    assertNoPrototypePollution();
    await goodTwilio();
  });

  // Issue 24, item 2: a Host that makes no URL threw inside twilio.validateRequest (500).
  it.each([['a b'], ['[::1'], ['exa%mple']])(
    'Twilio: Host %j is refused 400 invalid-host, not a 5xx',
    async (host) => {
      const params = twilioInbound();
      const res = await send(stack.url, {
        path: '/channels/sms/twilio',
        headers: {
          host,
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature(
            TEST_TWILIO_TOKEN,
            `http://${host}/channels/sms/twilio`,
            params,
          ),
        },
        body: new URLSearchParams(params).toString(),
      });
      expectHandled(res, `host ${host}`);
      expect([res.status, errorCode(res)]).toEqual([400, 'invalid-host']);
    },
  );

  // Issue 24, item 9: a signed From of 5,000-20,000 characters got 200 and a tracking number,
  // then the normalizer dead-lettered it (a phone over 64 characters).
  it.each([[65], [5_000], [20_000]])(
    'Twilio: a signed From of %i characters is refused 400 invalid-from, nothing published',
    async (length) => {
      serial++;
      const sid = 'SM' + serial.toString(16).padStart(32, 'c');
      const res = await postTwilioForm(
        twilioInbound({ MessageSid: sid, SmsMessageSid: sid, From: '1'.repeat(length) }),
      );
      expectHandled(res, `From of ${length}`);
      expect([res.status, errorCode(res)]).toEqual([400, 'invalid-from']);
      expect(res.text).not.toMatch(/XF-[0-9A-Z]{13}/);
      await goodTwilio();
    },
  );

  // ---- SMS gateway --------------------------------------------------------------------------

  function signedGateway(
    body: Buffer | string,
    type = 'application/json',
    timestamp = String(Math.floor(Date.now() / 1000)),
  ): Promise<RawResponse> {
    const raw = Buffer.from(body);
    const signature = createHmac('sha256', SMS_GATEWAY_TEST_SECRET)
      .update(`${timestamp}.`)
      .update(raw)
      .digest('hex');
    return send(stack.url, {
      path: '/channels/sms/gateway',
      headers: {
        'content-type': type,
        'x-gateway-id': 'test-modem',
        'x-timestamp': timestamp,
        'x-signature': `sha256=${signature}`,
      },
      body: raw,
    });
  }

  function goodGatewayMessage(): Record<string, unknown> {
    serial++;
    return gatewayMessage({ id: `good-${serial}`, receivedAt: undefined });
  }

  function acceptedGood(res: RawResponse, goodId: string): void {
    expect(res.status).toBe(200);
    const results = (JSON.parse(res.text) as { results: Result[] }).results;
    const good = results.find((r) => r.id === goodId);
    expect(good).toMatchObject({ status: 'accepted' });
    goodPetitions.add(good!.petitionId!);
  }

  it('SMS gateway: any body with any content type, correctly signed, gets an answer, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(contentType, fc.constant('application/json')),
        hostileBody,
        async (type, body) => {
          const res = await signedGateway(body, type);
          expectHandled(
            res,
            `content-type ${JSON.stringify(type)} body ${body.toString('hex').slice(0, 200)}`,
          );
        },
      ),
      fcOptions(),
    );
    assertNoPrototypePollution();
  });

  it('SMS gateway: a hostile message in a batch is rejected alone; the good one beside it is published', async () => {
    const hostileMessage = fc
      .record(
        {
          id: fc.oneof(
            hostileValue,
            fc.nat().map((n) => `h-${n}`),
          ),
          from: fc.oneof(hostileValue, hostileText),
          to: fc.oneof(hostileValue, hostileText, fc.constant('+8613800000001')),
          text: fc.oneof(hostileText, hostileValue),
          receivedAt: hostileDate,
          concat: fc.oneof(
            hostileValue,
            fc.record({ ref: hostileValue, total: hostileDate, part: hostileDate }),
          ),
        },
        { requiredKeys: [] },
      )
      .chain((m) =>
        fc.dictionary(hostileKey, hostileValue, { maxKeys: 3 }).map((extra) => ({
          ...extra,
          ...m,
        })),
      );
    await fc.assert(
      fc.asyncProperty(
        hostileMessage,
        fc.boolean(),
        fc.boolean(),
        async (message, goodFirst, asArray) => {
          const good = goodGatewayMessage();
          const list = goodFirst ? [good, message] : [message, good];
          const body = safeStringify(asArray ? list : { messages: list });
          const res = await signedGateway(body);
          expectHandled(res, `batch ${body.slice(0, 300)}`);
          // Only the body's size refuses the whole request; a prototype key, like any other
          // hostile field, is that message's problem alone (issue 24, item 10).
          if (Buffer.byteLength(body) > BODY_LIMIT) expect(res.status).toBe(413);
          else acceptedGood(res, String(good.id));
        },
      ),
      fcOptions(),
    );
    assertNoPrototypePollution();
  });

  it.each([
    ['receivedAt far beyond the Date range', { receivedAt: 1e20 }],
    ['receivedAt as the largest double', { receivedAt: Number.MAX_VALUE }],
    ['receivedAt just past the Date range', { receivedAt: 8.64e12 + 1 }],
    ['receivedAt year 0', { receivedAt: '0000-01-01T00:00:00Z' }],
    ['receivedAt year 9999999', { receivedAt: '9999999-01-01T00:00:00Z' }],
    ['receivedAt NaN string', { receivedAt: 'NaN' }],
    ['receivedAt 31 February', { receivedAt: '2024-02-31T00:00:00Z' }],
    ['id Infinity (null in JSON)', { id: Infinity }],
    ['concat total Infinity', { concat: { ref: 'r', total: Infinity, part: 1 } }],
    ['text with NUL and lone surrogates', { text: '县长\u0000您好\ud800，路灯坏了\udfff两个月' }],
  ])(
    'SMS gateway table: %s is rejected or accepted with the good message beside it published',
    async (_name, override) => {
      const good = goodGatewayMessage();
      serial++;
      const bad = gatewayMessage({ id: `table-${serial}`, ...override });
      const res = await signedGateway(safeStringify({ messages: [bad, good] }));
      expectHandled(res, _name);
      acceptedGood(res, String(good.id));
      const results = (JSON.parse(res.text) as { results: Result[] }).results;
      expect(results).toHaveLength(2);
    },
  );

  it('SMS gateway: deep JSON, huge numbers, replayed timestamps and bad signatures get coded 4xx', async () => {
    const cases: [string, RawResponse, number][] = [
      // Nesting past the JSON parser's bound refuses the request before any code walks it.
      ['deep arrays', await signedGateway(deepJson(20000, 'array')), 400],
      ['deep objects', await signedGateway(deepJson(10000, 'object')), 400],
      ['huge timestamp', await signedGateway('{}', 'application/json', '999999999999'), 401],
      ['stale timestamp', await signedGateway('{}', 'application/json', '1'), 401],
      // A lone message with a prototype key: that message is rejected, the answer is per message.
      ['prototype key', await signedGateway('{"__proto__":{"x":1}}'), 200],
    ];
    for (const [name, res, status] of cases) {
      expectHandled(res, name);
      expect([name, res.status]).toEqual([name, status]);
    }
    expect(errorCode(cases[0]![1])).toBe('json-too-deep');
    expect(JSON.parse(cases[4]![1].text)).toMatchObject({
      results: [{ status: 'rejected', code: 'forbidden-field-name' }],
    });
    const unsigned = await send(stack.url, {
      path: '/channels/sms/gateway',
      headers: {
        'content-type': 'application/json',
        'x-gateway-id': 'test-modem',
        'x-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-signature': 'sha256=' + 'ab'.repeat(32),
      },
      body: JSON.stringify(goodGatewayMessage()),
    });
    expect(unsigned.status).toBe(401);
    expect(JSON.parse(unsigned.text)).toMatchObject({ error: { code: 'signature-invalid' } });
  });

  /** The answer lines of a signed push of `body` (a JSON text, sent as it is). */
  async function pushLines(body: string): Promise<Result[]> {
    const res = await signedGateway(body);
    expectHandled(res, body.slice(0, 200));
    expect(res.status).toBe(200);
    return (JSON.parse(res.text) as { results: Result[] }).results;
  }

  function eventOf(petitionId: string | undefined): PetitionEvent | undefined {
    return stack.events.json<PetitionEvent>().find((e) => e.petitionId === petitionId);
  }

  it('SMS gateway: ids beyond 2^53 sent as JSON numbers stay two messages (issue 24, item 3)', async () => {
    serial++;
    const [a, b] = [
      gatewayMessage({ id: 0, receivedAt: undefined, text: `第一条 ${serial}：路灯坏了。` }),
      gatewayMessage({ id: 0, receivedAt: undefined, text: `第二条 ${serial}：井盖丢了。` }),
    ];
    // Raw number literals: JSON.stringify of a JS number would already have lost the digits.
    const body = `{"messages":[${JSON.stringify(a).replace('"id":0', `"id":1234567890124${serial}341789`)},${JSON.stringify(b).replace('"id":0', `"id":1234567890124${serial}341790`)}]}`;
    const lines = await pushLines(body);
    expect(lines.map((l) => [l.id, l.status])).toEqual([
      [`1234567890124${serial}341789`, 'accepted'],
      [`1234567890124${serial}341790`, 'accepted'],
    ]);
    expect(lines[0]!.petitionId).not.toBe(lines[1]!.petitionId);
    for (const l of lines) goodPetitions.add(l.petitionId!);
    await stack.events.waitFor(() => lines.every((l) => eventOf(l.petitionId)));
    expect(lines.map((l) => eventOf(l.petitionId)?.original)).toEqual([a.text, b.text]);
  });

  it('SMS gateway: another message under a taken id is rejected, not reported and dropped (item 8)', async () => {
    serial++;
    const id = `dup-${serial}`;
    const first = gatewayMessage({
      id,
      receivedAt: undefined,
      text: `县长您好 ${serial}：路灯坏了。`,
    });
    const other = gatewayMessage({
      id,
      receivedAt: undefined,
      from: '13900000000',
      text: `另一位市民 ${serial}：噪音扰民。`,
    });
    const lines = await pushLines(JSON.stringify({ messages: [first, other, first] }));
    expect(lines.map((l) => [l.id, l.status, l.code])).toEqual([
      [id, 'accepted', undefined],
      [id, 'rejected', 'duplicate-message-id'],
      // The same message again is the same petition, and says so.
      [id, 'accepted', undefined],
    ]);
    expect(lines[2]!.petitionId).toBe(lines[0]!.petitionId);
    goodPetitions.add(lines[0]!.petitionId!);
    await stack.events.waitFor(() => eventOf(lines[0]!.petitionId) !== undefined);
    expect(eventOf(lines[0]!.petitionId)?.original).toBe(first.text);
  });

  it("SMS gateway: an outcome is the message's own, whatever id another message chose (item 8)", async () => {
    serial++;
    const named = gatewayMessage({ id: '#1', receivedAt: undefined, text: `井号编号 ${serial}` });
    const lines = await pushLines(
      JSON.stringify({ messages: [named, gatewayMessage({ id: { not: 'an id' } })] }),
    );
    expect(lines.map((l) => [l.id, l.status, l.code])).toEqual([
      ['#1', 'accepted', undefined],
      ['#1', 'rejected', 'invalid-message-id'],
    ]);
    goodPetitions.add(lines[0]!.petitionId!);
  });

  it.each([
    ['__proto__', '{"__proto__":{"polluted":true}}'],
    ['constructor.prototype', '{"constructor":{"prototype":{"polluted":true}}}'],
    ['a nested __proto__', '{"concat":{"__proto__":{"polluted":true}}}'],
  ])(
    'SMS gateway: a message with %s is rejected alone, forbidden-field-name (item 10)',
    async (_n, extra) => {
      const good = goodGatewayMessage();
      serial++;
      const bad = JSON.stringify(gatewayMessage({ id: `proto-${serial}`, receivedAt: undefined }));
      const poisoned = `${bad.slice(0, -1)},${extra.slice(1, -1)}}`;
      const lines = await pushLines(`{"messages":[${poisoned},${JSON.stringify(good)}]}`);
      expect(lines.map((l) => [l.id, l.status, l.code])).toEqual([
        [`proto-${serial}`, 'rejected', 'forbidden-field-name'],
        [good.id, 'accepted', undefined],
      ]);
      goodPetitions.add(lines[1]!.petitionId!);
      assertNoPrototypePollution();
    },
  );

  it('SMS gateway: a from of 5,000 characters is rejected, not dead-lettered later (item 9)', async () => {
    const good = goodGatewayMessage();
    serial++;
    const long = gatewayMessage({
      id: `long-${serial}`,
      from: '1'.repeat(5000),
      receivedAt: undefined,
    });
    const lines = await pushLines(JSON.stringify({ messages: [long, good] }));
    expect(lines.map((l) => [l.status, l.code])).toEqual([
      ['rejected', 'invalid-from'],
      ['accepted', undefined],
    ]);
    goodPetitions.add(lines[1]!.petitionId!);
  });

  it('every good message sent among the hostile ones reached the canonical topic', async () => {
    expect(goodPetitions.size).toBeGreaterThan(50);
    const missing = () =>
      [...goodPetitions].filter(
        (id) => !stack.events.json<PetitionEvent>().some((e) => e.petitionId === id),
      );
    await stack.events.waitFor(() => missing().length === 0, 30000);
    expect(missing()).toEqual([]);
  });
});
