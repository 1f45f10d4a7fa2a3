import { parseChannelsConfig } from '@app/config';
import { repoPath, twilioInbound, twilioSignature } from '@app/testing';
import { readFileSync } from 'node:fs';
import { loadGatewayEnv } from '../../../config/gateway.env';
import { ChannelAuthError, ChannelRequestError } from '../../../http/channel-errors';
import type { InboundRequest } from '../../channel-adapter';
import { TwilioSmsAdapter } from './twilio-sms.adapter';

const TOKEN = 'table-test-token';
const BASE = 'https://petitions.example.gov.cn';
const PATH = '/channels/sms/twilio';
const channels = parseChannelsConfig(readFileSync(repoPath('config/channels.yaml'), 'utf8'));

function adapter(extraEnv: Record<string, string> = {}): TwilioSmsAdapter {
  return new TwilioSmsAdapter(
    loadGatewayEnv({
      KAFKA_BROKERS: '127.0.0.1:1',
      TWILIO_AUTH_TOKEN: TOKEN,
      PUBLIC_BASE_URL: BASE,
      ...extraEnv,
    }),
    channels,
  );
}

function request(params: Record<string, string>, signature?: string | null): InboundRequest {
  const sig = signature === undefined ? twilioSignature(TOKEN, BASE + PATH, params) : signature;
  return {
    method: 'POST',
    path: PATH,
    publicBaseUrl: BASE,
    headers: sig === null ? {} : { 'x-twilio-signature': sig },
    rawBody: Buffer.from(new URLSearchParams(params).toString()),
    body: params,
    clientIp: '127.0.0.1',
  };
}

describe('TwilioSmsAdapter', () => {
  describe('verify', () => {
    it.each([
      ['a correctly signed webhook', request(twilioInbound()), null],
      ['a missing signature', request(twilioInbound(), null), 'signature-missing'],
      [
        'a forged signature',
        request(twilioInbound(), 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='),
        'signature-invalid',
      ],
      [
        'a body changed after signing',
        { ...request(twilioInbound()), body: twilioInbound({ Body: '改过的内容' }) },
        'signature-invalid',
      ],
      [
        'a signature for another URL',
        request(twilioInbound(), twilioSignature(TOKEN, BASE + '/other', twilioInbound())),
        'signature-invalid',
      ],
      [
        'a signature made with another token',
        request(twilioInbound(), twilioSignature('other-token', BASE + PATH, twilioInbound())),
        'signature-invalid',
      ],
    ])('%s', (_name, req, code) => {
      const run = () => adapter().verify(req);
      if (code === null) expect(run).not.toThrow();
      else expect(run).toThrow(expect.objectContaining({ code, status: 403 }) as ChannelAuthError);
    });

    // Without PUBLIC_BASE_URL the base is rebuilt from the Host header the client chose.
    it.each([['http://a b'], ['http://[::1'], ['http://exa%mple'], ['http://example.com:99999']])(
      'refuses a request whose Host makes no URL (%s) with 400 invalid-host, not a throw',
      (base) => {
        const a = new TwilioSmsAdapter(
          loadGatewayEnv({ KAFKA_BROKERS: '127.0.0.1:1', TWILIO_AUTH_TOKEN: TOKEN }),
          channels,
        );
        const params = twilioInbound();
        const req = {
          ...request(params, twilioSignature(TOKEN, base + PATH, params)),
          publicBaseUrl: base,
        };
        expect(() => a.verify(req)).toThrow(
          expect.objectContaining({ code: 'invalid-host', status: 400 }) as ChannelRequestError,
        );
      },
    );

    it('refuses everything when no auth token is configured', () => {
      const a = new TwilioSmsAdapter(loadGatewayEnv({ KAFKA_BROKERS: '127.0.0.1:1' }), channels);
      expect(() => a.verify(request(twilioInbound()))).toThrow(
        expect.objectContaining({ code: 'twilio-not-configured' }),
      );
    });

    it('refuses another account when TWILIO_ACCOUNT_SID is set', () => {
      const a = adapter({ TWILIO_ACCOUNT_SID: 'AC' + 'f'.repeat(32) });
      expect(() => a.verify(request(twilioInbound()))).toThrow(
        expect.objectContaining({ code: 'account-mismatch' }),
      );
    });
  });

  describe('parse', () => {
    it('turns a webhook into one petition addressed to the hotline owner', () => {
      const { items, rejected } = adapter().parse(request(twilioInbound()));
      expect(rejected).toEqual([]);
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        ref: 'SM0123456789abcdef0123456789abcdef',
        idempotencyKey: 'sms:twilio:SM0123456789abcdef0123456789abcdef',
        channel: 'sms',
        provider: 'twilio',
        recipient: { id: 'zhongxian-county-head', kind: 'leader', county: '忠县' },
        petitioner: { phone: '+8613912345678', name: null, email: null },
        text: twilioInbound().Body,
      });
    });

    it('keeps a Body longer than Twilio documents (1,600 characters) whole', () => {
      const body = '字'.repeat(9023);
      const { items, rejected } = adapter().parse(request(twilioInbound({ Body: body })));
      expect(rejected).toEqual([]);
      expect(items[0]?.text).toBe(body);
    });

    it('gives an unknown hotline a null recipient rather than guessing', () => {
      const { items } = adapter().parse(request(twilioInbound({ To: '+8613800009999' })));
      expect(items[0]?.recipient).toBeNull();
    });

    it('is the same item for a retried webhook (same MessageSid → same key)', () => {
      const a = adapter().parse(request(twilioInbound()));
      const b = adapter().parse(request(twilioInbound({ SmsStatus: 'received' })));
      expect(b.items[0]?.idempotencyKey).toBe(a.items[0]?.idempotencyKey);
    });

    it.each([
      ['no MessageSid', { MessageSid: undefined, SmsMessageSid: undefined }, 'invalid-message-sid'],
      ['a malformed MessageSid', { MessageSid: 'SM123' }, 'invalid-message-sid'],
      ['no From', { From: undefined }, 'missing-from'],
      ['no To', { To: undefined }, 'missing-to'],
      ['an empty Body and no media', { Body: '   ' }, 'empty-message'],
      ['a Body over 17,000 characters', { Body: '字'.repeat(17_001) }, 'body-too-long'],
      ['a malformed AccountSid', { AccountSid: 'nope' }, 'invalid-account-sid'],
      ['a From of 65 characters', { From: '+86' + '1'.repeat(62) }, 'invalid-from'],
      ['a From of 20,000 characters', { From: '1'.repeat(20_000) }, 'invalid-from'],
      ['a To of 5,000 characters', { To: '+' + '8'.repeat(4_999) }, 'invalid-to'],
      ['NumMedia out of range', { NumMedia: '99' }, 'invalid-num-media'],
    ])('rejects %s with %s', (_name, overrides, code) => {
      expect(() => adapter().parse(request(twilioInbound(overrides)))).toThrow(
        expect.objectContaining({ code, status: 400 }) as ChannelRequestError,
      );
    });

    it('rejects a JSON array body as not a form', () => {
      expect(() => adapter().parse({ ...request(twilioInbound()), body: [] })).toThrow(
        expect.objectContaining({ code: 'invalid-form', status: 415 }),
      );
    });
  });

  describe('reply', () => {
    it('answers TwiML with the configured Chinese receipt and the tracking number', () => {
      const reply = adapter().reply([
        { ref: 'SM1', status: 'accepted', petitionId: 'XF-23456789ABCDE' },
      ]);
      expect(reply.status).toBe(200);
      expect(reply.contentType).toContain('text/xml');
      expect(reply.body).toContain('<Response><Message>');
      expect(reply.body).toContain('受理编号：XF-23456789ABCDE');
    });
  });
});
