import { loadChannelsConfig } from '@app/config';
import { join } from 'node:path';
import {
  SMS_GATEWAY_TEST_SECRET,
  gatewayHeaders,
  gatewayMessage,
  splitIntoParts,
} from '../../../../../../test/fixtures/sms-gateway/push';
import { loadGatewayEnv } from '../../../config/gateway.env';
import type { InboundRequest } from '../../channel-adapter';
import { SmsGatewayAdapter, segmentOf } from './sms-gateway.adapter';

const FIXTURES = join(__dirname, '../../../../../../test/fixtures/sms-gateway');
const channels = loadChannelsConfig(join(FIXTURES, 'channels.yaml'));
const NOW = new Date('2024-05-06T01:30:00Z');
const NOW_S = NOW.getTime() / 1000;

function adapter(env: Record<string, string> = { SMS_GATEWAY_TEST_SECRET }): SmsGatewayAdapter {
  return new SmsGatewayAdapter(loadGatewayEnv({ KAFKA_BROKERS: '127.0.0.1:1', ...env }), channels);
}

function request(
  body: unknown,
  options: Parameters<typeof gatewayHeaders>[1] = {},
  tamper?: (headers: Record<string, string>) => void,
): InboundRequest {
  const raw = JSON.stringify(body);
  const headers = gatewayHeaders(raw, { timestamp: NOW_S, ...options });
  tamper?.(headers);
  return {
    method: 'POST',
    path: '/channels/sms/gateway',
    publicBaseUrl: 'https://petitions.example.gov.cn',
    headers,
    rawBody: Buffer.from(raw),
    body,
    clientIp: '127.0.0.1',
  };
}

describe('SmsGatewayAdapter', () => {
  describe('verify', () => {
    const body = { messages: [gatewayMessage()] };
    it.each<[string, InboundRequest, string | null]>([
      ['a correctly signed push', request(body), null],
      [
        'a signature in upper-case hex',
        request(
          body,
          {},
          (h) =>
            (h['x-signature'] =
              h['x-signature']?.toUpperCase().replace('SHA256=', 'sha256=') ?? ''),
        ),
        null,
      ],
      ['a push 299 s old', request(body, { timestamp: NOW_S - 299 }), null],
      ['a push 301 s old (replayed)', request(body, { timestamp: NOW_S - 301 }), 'timestamp-stale'],
      ['a push 301 s in the future', request(body, { timestamp: NOW_S + 301 }), 'timestamp-stale'],
      ['no timestamp', request(body, {}, (h) => delete h['x-timestamp']), 'timestamp-invalid'],
      [
        'a timestamp in milliseconds-with-dot',
        request(body, {}, (h) => (h['x-timestamp'] = '1714959000.5')),
        'timestamp-invalid',
      ],
      ['no signature', request(body, {}, (h) => delete h['x-signature']), 'signature-missing'],
      [
        'a signature without the sha256= prefix',
        request(body, {}, (h) => (h['x-signature'] = h['x-signature']?.slice(7) ?? '')),
        'signature-invalid',
      ],
      [
        'a truncated signature',
        request(body, {}, (h) => (h['x-signature'] = h['x-signature']?.slice(0, 40) ?? '')),
        'signature-invalid',
      ],
      [
        'a signature made with another secret',
        request(body, { secret: 'another-secret-entirely' }),
        'signature-invalid',
      ],
      [
        'a signature over another timestamp',
        request(body, {}, (h) => (h['x-timestamp'] = String(NOW_S - 1))),
        'signature-invalid',
      ],
      ['no gateway id', request(body, {}, (h) => delete h['x-gateway-id']), 'gateway-missing'],
      ['an unknown gateway', request(body, { gatewayId: 'nobody' }), 'gateway-unknown'],
      [
        'a gateway whose secret is not set',
        request(body, { gatewayId: 'test-unset' }),
        'gateway-not-configured',
      ],
    ])('%s', (_name, req, code) => {
      const run = () => adapter().verifyAt(req, NOW);
      if (code === null) expect(run).not.toThrow();
      else expect(run).toThrow(expect.objectContaining({ code, status: 401 }) as Error);
    });

    it('refuses a body changed after signing', () => {
      const req = request(body);
      const changed = {
        ...req,
        rawBody: Buffer.from(JSON.stringify({ messages: [gatewayMessage({ text: '改过' })] })),
      };
      expect(() => adapter().verifyAt(changed, NOW)).toThrow(
        expect.objectContaining({ code: 'signature-invalid' }) as Error,
      );
    });

    it('reads the secret from a file when configured so', () => {
      const fileChannels = loadChannelsConfig(join(FIXTURES, 'channels.yaml'));
      const gw = fileChannels.sms.gateways[0];
      if (!gw) throw new Error('fixture has no gateway');
      gw.secretEnv = undefined;
      gw.secretFile = join(FIXTURES, 'test-modem.secret');
      const a = new SmsGatewayAdapter(
        loadGatewayEnv({ KAFKA_BROKERS: '127.0.0.1:1' }),
        fileChannels,
      );
      expect(() => a.verifyAt(request(body), NOW)).not.toThrow();
      expect(() => a.verifyAt(request(body, { secret: 'wrong' }), NOW)).toThrow(
        expect.objectContaining({ code: 'signature-invalid' }) as Error,
      );
    });
  });

  describe('parse', () => {
    it('turns a single message into a petition addressed to the hotline owner', () => {
      const { items, rejected } = adapter().parse(request(gatewayMessage()));
      expect(rejected).toEqual([]);
      expect(items).toEqual([
        {
          ref: 'msg-0001',
          idempotencyKey: 'sms:gateway:test-modem:msg-0001',
          channel: 'sms',
          provider: 'gateway',
          recipient: {
            id: 'zhongxian-county-head',
            name: '忠县县长',
            kind: 'leader',
            county: '忠县',
          },
          petitioner: { name: null, phone: '13912345678', email: null, idNumber: null },
          subject: null,
          text: gatewayMessage().text,
          attachments: [],
          meta: {
            gatewayId: 'test-modem',
            providerMessageId: 'msg-0001',
            to: '13800000002',
            gatewayReceivedAt: '2024-05-06T01:30:00.000Z',
          },
        },
      ]);
    });

    it('accepts a bare array, unix-seconds receive times and numeric ids', () => {
      const { items } = adapter().parse(
        request([gatewayMessage({ id: 42, receivedAt: 1714959000 })]),
      );
      expect(items[0]).toMatchObject({
        ref: '42',
        meta: { gatewayReceivedAt: '2024-05-06T01:30:00.000Z' },
      });
    });

    it('gives an unknown hotline a null recipient', () => {
      const { items } = adapter().parse(request(gatewayMessage({ to: '10086' })));
      expect(items[0]?.recipient).toBeNull();
    });

    it.each<[string, Record<string, unknown>, string, string]>([
      ['no id', { id: undefined }, '#1', 'invalid-message-id'],
      ['an id with spaces', { id: 'a b' }, '#1', 'invalid-message-id'],
      ['no from', { from: '' }, 'bad-1', 'missing-from'],
      ['no to', { to: undefined }, 'bad-1', 'missing-to'],
      ['no text', { text: undefined }, 'bad-1', 'missing-text'],
      ['blank text', { text: ' \n ' }, 'bad-1', 'empty-message'],
      ['text over 17,000 characters', { text: '字'.repeat(17_001) }, 'bad-1', 'text-too-long'],
      ['a malformed receive time', { receivedAt: 'yesterday' }, 'bad-1', 'invalid-received-at'],
      // Found by the hostile-input properties: these threw a RangeError (500) in toISOString.
      [
        'a receive time beyond the Date range',
        { receivedAt: 1e20 },
        'bad-1',
        'invalid-received-at',
      ],
      [
        'the largest double as receive time',
        { receivedAt: Number.MAX_VALUE },
        'bad-1',
        'invalid-received-at',
      ],
      [
        'a receive time after year 9999',
        { receivedAt: 253402300800 },
        'bad-1',
        'invalid-received-at',
      ],
      ['a negative receive time', { receivedAt: -1 }, 'bad-1', 'invalid-received-at'],
      [
        'receive time in year 0',
        { receivedAt: '0000-01-01T00:00:00Z' },
        'bad-1',
        'invalid-received-at',
      ],
      [
        'a part number above the total',
        { concat: { ref: 7, total: 2, part: 3 } },
        'bad-1',
        'invalid-concat',
      ],
      ['a total of 0', { concat: { ref: 7, total: 0, part: 1 } }, 'bad-1', 'invalid-concat'],
      ['a concat without reference', { concat: { total: 2, part: 1 } }, 'bad-1', 'invalid-concat'],
      // Issue 24: the normalizer dead-letters a phone over 64 characters.
      ['a from of 65 characters', { from: '1'.repeat(65) }, 'bad-1', 'invalid-from'],
      ['a from of 20,000 characters', { from: '1'.repeat(20_000) }, 'bad-1', 'invalid-from'],
      ['a to of 5,000 characters', { to: '1'.repeat(5_000) }, 'bad-1', 'invalid-to'],
      // 255 parts joined must fit the 200,000 characters of one raw petition.
      [
        'a part of 255 longer than its share of one petition',
        { text: '字'.repeat(785), concat: { ref: 9, total: 255, part: 1 } },
        'bad-1',
        'text-too-long',
      ],
      // Issue 24: ids beyond 2^53 arrive as strings from the JSON parser; a number that still
      // arrives is not exact, and two ids could become one.
      ['an id beyond 2^53 as a number', { id: 2 ** 60 + 1 }, '#1', 'unsafe-integer-id'],
      ['a fractional numeric id', { id: 1.5 }, '#1', 'unsafe-integer-id'],
      [
        'a concat reference beyond 2^53',
        { concat: { ref: 2 ** 60, total: 2, part: 1 } },
        'bad-1',
        'invalid-concat',
      ],
      // Kept by the JSON parser as own properties (JSON.parse does the same), refused per item.
      [
        'a __proto__ key',
        JSON.parse('{"__proto__":{"x":1}}') as Record<string, unknown>,
        'bad-1',
        'forbidden-field-name',
      ],
      [
        'a constructor.prototype key',
        { constructor: { prototype: { x: 1 } } },
        'bad-1',
        'forbidden-field-name',
      ],
      [
        'a nested __proto__ key',
        { concat: JSON.parse('{"__proto__":{"x":1}}') as object },
        'bad-1',
        'forbidden-field-name',
      ],
    ])('rejects a message with %s and keeps the others', (_name, overrides, ref, code) => {
      const bad = gatewayMessage({ id: 'bad-1', ...overrides });
      const { items, rejected } = adapter().parse(request({ messages: [gatewayMessage(), bad] }));
      expect(items.map((i) => i.ref)).toEqual(['msg-0001']);
      expect(rejected).toEqual([{ ref, code, message: expect.any(String) }]);
    });

    it('keeps ids beyond 2^53 exact when they arrive as digits (two ids stay two)', () => {
      const { items, rejected } = adapter().parse(
        request({
          messages: [
            gatewayMessage({ id: '1234567890124341789' }),
            gatewayMessage({ id: '1234567890124341790', from: '13900000000' }),
          ],
        }),
      );
      expect(rejected).toEqual([]);
      expect(items.map((d) => d.idempotencyKey)).toEqual([
        'sms:gateway:test-modem:1234567890124341789',
        'sms:gateway:test-modem:1234567890124341790',
      ]);
    });

    it('answers each message of a batch by its position, whatever ids were sent', () => {
      const entries = adapter().parseBatch(
        request({
          messages: [
            gatewayMessage({ id: '#1' }),
            gatewayMessage({ id: { no: 'id' } }),
            gatewayMessage({ id: 'same' }),
            gatewayMessage({ id: 'same' }),
            gatewayMessage({ id: 'same', from: '13900000000', text: '另一个人的另一条短信' }),
          ],
        }),
      );
      expect(entries).toEqual([
        { index: 0, draft: expect.objectContaining({ ref: '#1' }) },
        { index: 1, rejected: expect.objectContaining({ ref: '#1', code: 'invalid-message-id' }) },
        { index: 2, draft: expect.objectContaining({ ref: 'same' }) },
        // The same message sent twice shares the first one's outcome; another under its id does not.
        { index: 3, sameAs: 2 },
        {
          index: 4,
          rejected: expect.objectContaining({ ref: 'same', code: 'duplicate-message-id' }),
        },
      ]);
    });

    it('accepts Traditional Chinese and mojibake-looking text as it is', () => {
      const text = '縣長您好：我們村的公路塌方三個月了，孩子上學很危險。ï»¿';
      expect(adapter().parse(request(gatewayMessage({ text }))).items[0]?.text).toBe(text);
    });

    it('marks parts of a concatenated message and finds their group', () => {
      const parts = splitIntoParts('一二三四五六七八九十', 3, { id: 'cc', ref: 200 });
      const { items } = adapter().parse(request({ messages: parts }));
      expect(items.map((d) => segmentOf(d))).toEqual(
        [1, 2, 3].map((part) => ({
          gatewayId: 'test-modem',
          from: '+8613912345678',
          to: '+8613800000002',
          ref: '200',
          total: 3,
          part,
        })),
      );
      expect(segmentOf(adapter().parse(request(gatewayMessage())).items[0]!)).toBeNull();
    });

    it('treats a one-part concat as a whole message', () => {
      const { items } = adapter().parse(
        request(gatewayMessage({ concat: { ref: 1, total: 1, part: 1 } })),
      );
      expect(segmentOf(items[0]!)).toBeNull();
    });

    it.each([
      ['an empty batch', { messages: [] }, 'empty-batch', 400],
      [
        'more than maxBatch (5) messages',
        { messages: Array.from({ length: 6 }, (_, i) => gatewayMessage({ id: `m${i}` })) },
        'batch-too-large',
        413,
      ],
      ['messages that are not an array', { messages: 'x' }, 'invalid-body', 400],
      ['a string body', 'hello', 'invalid-body', 415],
    ])('refuses %s as a whole', (_name, body, code, status) => {
      expect(() => adapter().parse(request(body))).toThrow(
        expect.objectContaining({ code, status }) as Error,
      );
    });
  });

  describe('reply', () => {
    it('lists each message with its tracking number or its reason', () => {
      const reply = adapter().reply([
        { ref: 'a', status: 'accepted', petitionId: 'XF-23456789ABCDE' },
        { ref: 'b', status: 'rejected', code: 'empty-message', message: 'text is empty' },
      ]);
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toEqual({
        results: [
          { id: 'a', status: 'accepted', petitionId: 'XF-23456789ABCDE' },
          { id: 'b', status: 'rejected', code: 'empty-message', message: 'text is empty' },
        ],
      });
    });
  });
});
