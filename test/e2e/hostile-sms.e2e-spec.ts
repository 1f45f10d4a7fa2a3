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
          // Prototype keys refuse the whole request (the JSON parser's guard); all else is per item.
          if (Buffer.byteLength(body) > BODY_LIMIT) expect(res.status).toBe(413);
          else if (res.status === 400 && /"(__proto__|constructor)":/.test(body))
            expect(errorCode(res)).toBe('invalid-json');
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
      // An array of one "message" that is itself an array: rejected as that message's problem.
      ['deep arrays', await signedGateway(deepJson(20000, 'array')), 200],
      ['deep objects', await signedGateway(deepJson(10000, 'object')), 200],
      ['huge timestamp', await signedGateway('{}', 'application/json', '999999999999'), 401],
      ['stale timestamp', await signedGateway('{}', 'application/json', '1'), 401],
      ['prototype key', await signedGateway('{"__proto__":{"x":1}}'), 400],
    ];
    for (const [name, res, status] of cases) {
      expectHandled(res, name);
      expect([name, res.status]).toEqual([name, status]);
    }
    expect(errorCode(cases[4]![1])).toBe('invalid-json');
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
