import { Inject, Injectable } from '@nestjs/common';
import twilio from 'twilio';
import type { ChannelsConfig } from '@app/config';
import { RecipientDirectory } from '@app/config';
import { toE164 } from '@app/identity';
import { CHANNELS_CONFIG, GATEWAY_ENV } from '../../../config/tokens';
import type { GatewayEnv } from '../../../config/gateway.env';
import { ChannelAuthError, ChannelRequestError } from '../../../http/channel-errors';
import type {
  ChannelAdapter,
  ChannelReply,
  InboundRequest,
  ItemOutcome,
  ParsedRequest,
} from '../../channel-adapter';
import { MAX_ADDRESS, MAX_SMS_TEXT } from '../sms-limits';

const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;
const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;

/**
 * Twilio Programmable Messaging inbound webhook (application/x-www-form-urlencoded).
 * https://www.twilio.com/docs/messaging/guides/webhook-request
 */
@Injectable()
export class TwilioSmsAdapter implements ChannelAdapter {
  readonly route = 'sms/twilio';
  readonly channel = 'sms' as const;
  readonly provider = 'twilio';
  private readonly recipients: RecipientDirectory;

  constructor(
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
    @Inject(CHANNELS_CONFIG) private readonly channels: ChannelsConfig,
  ) {
    this.recipients = new RecipientDirectory(channels);
  }

  verify(request: InboundRequest): void {
    const token = this.env.TWILIO_AUTH_TOKEN;
    if (!token) throw new ChannelAuthError('twilio-not-configured', 'TWILIO_AUTH_TOKEN is not set');
    const signature = header(request, 'x-twilio-signature');
    if (!signature)
      throw new ChannelAuthError('signature-missing', 'X-Twilio-Signature is missing');
    const params = formParams(request.body);
    // twilio.validateRequest compares in constant time (scmp) and tries the URL with and without
    // the default port, as Twilio may sign either.
    const url = request.publicBaseUrl + request.path;
    // Without PUBLIC_BASE_URL the base comes from the Host header, which the client chooses; one
    // that makes no URL (`a b`, `[::1`, `exa%mple`) throws inside validateRequest's `new URL()`.
    // Refused as a malformed request (400), not as a bad signature: no signature can be checked
    // against a URL that does not exist, and Twilio itself always sends a valid Host.
    if (!URL.canParse(url)) {
      throw new ChannelRequestError('invalid-host', 'the request URL (Host header) is malformed');
    }
    if (!twilio.validateRequest(token, signature, url, params)) {
      throw new ChannelAuthError('signature-invalid', 'X-Twilio-Signature does not match');
    }
    const account = this.env.TWILIO_ACCOUNT_SID;
    if (account && params.AccountSid !== account) {
      throw new ChannelAuthError('account-mismatch', 'webhook is for another Twilio account');
    }
  }

  parse(request: InboundRequest): ParsedRequest {
    const p = formParams(request.body);
    const sid = p.MessageSid ?? p.SmsMessageSid ?? '';
    if (!MESSAGE_SID.test(sid))
      throw new ChannelRequestError('invalid-message-sid', 'MessageSid is missing or malformed');
    if (p.AccountSid !== undefined && !ACCOUNT_SID.test(p.AccountSid)) {
      throw new ChannelRequestError('invalid-account-sid', 'AccountSid is malformed');
    }
    const from = p.From?.trim();
    const to = p.To?.trim();
    if (!from) throw new ChannelRequestError('missing-from', 'From is missing');
    if (!to) throw new ChannelRequestError('missing-to', 'To is missing');
    // An address (phone, short code, `whatsapp:+…`, alphanumeric sender) fits in the 64
    // characters the raw-petition schema allows a phone; longer is no address, and the
    // normalizer would dead-letter it after we had answered with a tracking number.
    if (from.length > MAX_ADDRESS) {
      throw new ChannelRequestError('invalid-from', `From exceeds ${MAX_ADDRESS} characters`);
    }
    if (to.length > MAX_ADDRESS) {
      throw new ChannelRequestError('invalid-to', `To exceeds ${MAX_ADDRESS} characters`);
    }
    const text = p.Body ?? '';
    const numMedia = Number(p.NumMedia ?? '0');
    if (!Number.isInteger(numMedia) || numMedia < 0 || numMedia > 10) {
      throw new ChannelRequestError('invalid-num-media', 'NumMedia is out of range');
    }
    if (text.trim().length === 0 && numMedia === 0)
      throw new ChannelRequestError('empty-message', 'Body is empty');
    // Twilio documents 1,600 characters for one inbound message, but a signed Body past that is
    // still a citizen's text, and Twilio does not retry a 4xx: bounded as the domestic gateways are.
    if (text.length > MAX_SMS_TEXT)
      throw new ChannelRequestError('body-too-long', `Body exceeds ${MAX_SMS_TEXT} characters`);
    const toE = toE164(to);
    return {
      items: [
        {
          ref: sid,
          idempotencyKey: `sms:twilio:${sid}`,
          channel: 'sms',
          provider: 'twilio',
          recipient: toE ? this.recipients.forHotline(toE) : null,
          petitioner: { name: null, phone: from, email: null, idNumber: null },
          subject: null,
          text,
          attachments: [],
          // Media stays at Twilio (fetching it needs the account's credentials); we record that it exists.
          meta: { providerMessageId: sid, to, numMedia, numSegments: numOrNull(p.NumSegments) },
        },
      ],
      rejected: [],
    };
  }

  reply(outcomes: ItemOutcome[]): ChannelReply {
    const response = new twilio.twiml.MessagingResponse();
    for (const o of outcomes) {
      if (o.status === 'accepted') {
        response.message(this.channels.receipts.sms.replaceAll('{petitionId}', o.petitionId));
      }
    }
    return { status: 200, contentType: 'text/xml; charset=utf-8', body: response.toString() };
  }
}

function header(request: InboundRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Form fields as single strings; a repeated field keeps its first value. */
function formParams(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ChannelRequestError(
      'invalid-form',
      'expected an application/x-www-form-urlencoded body',
      415,
    );
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    const first: unknown = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}

function numOrNull(v: string | undefined): number | null {
  const n = Number(v);
  return v !== undefined && Number.isInteger(n) ? n : null;
}
