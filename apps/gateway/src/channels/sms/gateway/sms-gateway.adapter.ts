import { Inject, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { resolveSecret, RecipientDirectory, type ChannelsConfig } from '@app/config';
import type { SmsGatewayConfig } from '@app/config';
import { rawPetitionSchema } from '@app/contracts';
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
  PetitionDraft,
  RejectedItem,
} from '../../channel-adapter';
import { findForbiddenKey } from '../../../http/forbidden-keys';
import { MAX_ADDRESS, MAX_SMS_TEXT } from '../sms-limits';

const MESSAGE_ID = /^[\x21-\x7e]{1,128}$/;
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;
/** The longest text one petition may carry (the raw-petition schema's bound). */
const MAX_RAW_TEXT = rawPetitionSchema.properties.text.maxLength;
/** 10000-01-01T00:00:00Z: later times have no four-digit year. */
const MAX_TIME_MS = Date.UTC(10000, 0, 1);

/** Where a part of a concatenated SMS belongs. */
export interface SegmentInfo {
  gatewayId: string;
  /** The sender and hotline as E.164 when they parse, else as given (trimmed). */
  from: string;
  to: string;
  ref: string;
  total: number;
  part: number;
}

/**
 * SMS gateways and modem pools (Chinese carriers' 云MAS, GSM modem pools at a petition office)
 * pushing inbound messages as JSON to `POST /channels/sms/gateway`.
 *
 * Request:
 * - `X-Gateway-Id: <id from sms.gateways>`, `X-Timestamp: <unix seconds>`,
 *   `X-Signature: sha256=<hex HMAC-SHA256(secret, X-Timestamp + "." + raw body)>`.
 * - Body: one message, or `{ "messages": [ … ] }` (at most the gateway's `maxBatch`), each
 *   `{ id, from, to, text, receivedAt?, concat?: { ref, total, part } }`; `receivedAt` is ISO 8601
 *   or unix seconds; `to` is the hotline number.
 * Response 200: `{ "results": [ { id, status: "accepted", petitionId } |
 *   { id, status: "rejected", code, message } ] }` in request order. A rejected message is not
 * retriable; 401 (signature, timestamp, unknown gateway), 400/413 (unusable request) and 503 (retry
 * later) apply to the whole request.
 *
 * Parts of a concatenated message are returned as drafts carrying `concat*` meta; the controller
 * hands them to SmsSegmentStore, which publishes one petition when the group is complete.
 */
@Injectable()
export class SmsGatewayAdapter implements ChannelAdapter {
  readonly route = 'sms/gateway';
  readonly channel = 'sms' as const;
  readonly provider = 'gateway';
  private readonly recipients: RecipientDirectory;
  private readonly gateways = new Map<
    string,
    { config: SmsGatewayConfig; secret: Buffer | null }
  >();

  constructor(
    @Inject(GATEWAY_ENV) env: GatewayEnv,
    @Inject(CHANNELS_CONFIG) channels: ChannelsConfig,
  ) {
    this.recipients = new RecipientDirectory(channels);
    for (const config of channels.sms.gateways) {
      const secret = resolveSecret(config, { env: env.secrets ?? {} });
      this.gateways.set(config.id, { config, secret: secret ? Buffer.from(secret, 'utf8') : null });
    }
  }

  /** The configuration of a gateway, or undefined. */
  gateway(id: string): SmsGatewayConfig | undefined {
    return this.gateways.get(id)?.config;
  }

  verify(request: InboundRequest): void {
    this.verifyAt(request, new Date());
  }

  /** verify with an explicit clock, for the replay window. */
  verifyAt(request: InboundRequest, now: Date): void {
    const id = header(request, 'x-gateway-id');
    if (!id) throw new ChannelAuthError('gateway-missing', 'X-Gateway-Id is missing', 401);
    const gateway = this.gateways.get(id);
    if (!gateway) throw new ChannelAuthError('gateway-unknown', 'unknown gateway', 401);
    if (!gateway.secret) {
      throw new ChannelAuthError('gateway-not-configured', 'no secret is configured', 401);
    }
    const timestamp = header(request, 'x-timestamp') ?? '';
    if (!/^\d{1,12}$/.test(timestamp)) {
      throw new ChannelAuthError('timestamp-invalid', 'X-Timestamp must be unix seconds', 401);
    }
    const skew = Math.abs(now.getTime() / 1000 - Number(timestamp));
    if (skew > gateway.config.replayWindowSeconds) {
      throw new ChannelAuthError('timestamp-stale', 'X-Timestamp is outside the window', 401);
    }
    const given = header(request, 'x-signature');
    if (!given) throw new ChannelAuthError('signature-missing', 'X-Signature is missing', 401);
    const hex = SIGNATURE.exec(given)?.[1];
    if (!hex) throw new ChannelAuthError('signature-invalid', 'X-Signature does not match', 401);
    const expected = signSmsGatewayRequest(gateway.secret, timestamp, request.rawBody);
    // Both are 32 bytes (64 hex digits checked above), as timingSafeEqual requires.
    if (!timingSafeEqual(Buffer.from(hex.toLowerCase(), 'hex'), expected)) {
      throw new ChannelAuthError('signature-invalid', 'X-Signature does not match', 401);
    }
  }

  /**
   * Interface form: the drafts and the rejections, without positions. A message repeated
   * identically in the batch appears once. The controller uses {@link parseBatch}.
   */
  parse(request: InboundRequest): ParsedRequest {
    const items: PetitionDraft[] = [];
    const rejected: RejectedItem[] = [];
    for (const entry of this.parseBatch(request)) {
      if ('draft' in entry) items.push(entry.draft);
      else if ('rejected' in entry) rejected.push(entry.rejected);
    }
    return { items, rejected };
  }

  /**
   * Pure: one entry per message, in request order, so each answer line is that message's own
   * outcome whatever ids the sender chose. An id seen earlier in the same batch is either the same
   * message sent twice (identical content: it shares the first one's outcome) or another message
   * under a taken id (rejected `duplicate-message-id`: publishing both under one id would report
   * two petitions while the normalizer keeps one).
   */
  parseBatch(request: InboundRequest): BatchEntry[] {
    const gatewayId = header(request, 'x-gateway-id') ?? '';
    const gateway = this.gateways.get(gatewayId)?.config;
    if (!gateway) throw new ChannelRequestError('gateway-unknown', 'unknown gateway');
    const list = messagesOf(request.body);
    if (list.length === 0) throw new ChannelRequestError('empty-batch', 'no messages');
    if (list.length > gateway.maxBatch) {
      throw new ChannelRequestError(
        'batch-too-large',
        `at most ${gateway.maxBatch} messages per request`,
        413,
      );
    }
    const firstById = new Map<string, { index: number; content: string }>();
    return list.map((message, index): BatchEntry => {
      const result = this.parseOne(gatewayId, message, index);
      if ('code' in result) return { index, rejected: result };
      // Drafts are built from validated, bounded fields: serialising one is cheap and safe.
      const content = JSON.stringify([result.petitioner, result.text, result.meta]);
      const first = firstById.get(result.ref);
      if (!first) {
        firstById.set(result.ref, { index, content });
        return { index, draft: result };
      }
      if (first.content === content) return { index, sameAs: first.index };
      return {
        index,
        rejected: {
          ref: result.ref,
          code: 'duplicate-message-id',
          message: `another message in this batch (#${first.index}) has this id`,
        },
      };
    });
  }

  private parseOne(gatewayId: string, m: unknown, index: number): PetitionDraft | RejectedItem {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      return { ref: `#${index}`, code: 'invalid-message', message: 'a message must be an object' };
    }
    const o = m as Record<string, unknown>;
    const id = messageIdOf(o.id);
    const forbidden = findForbiddenKey(o);
    if (forbidden !== null) {
      return {
        ref: typeof id === 'string' ? id : `#${index}`,
        code: 'forbidden-field-name',
        message: `field name not allowed: ${forbidden.slice(0, 100)}`,
      };
    }
    if (typeof id !== 'string') return { ref: `#${index}`, ...id };
    const reject = (code: string, message: string): RejectedItem => ({ ref: id, code, message });
    const from = typeof o.from === 'string' ? o.from.trim() : '';
    if (!from) return reject('missing-from', 'from is missing');
    if (from.length > MAX_ADDRESS) {
      return reject('invalid-from', `from exceeds ${MAX_ADDRESS} characters`);
    }
    const to = typeof o.to === 'string' ? o.to.trim() : '';
    if (!to) return reject('missing-to', 'to is missing');
    if (to.length > MAX_ADDRESS)
      return reject('invalid-to', `to exceeds ${MAX_ADDRESS} characters`);
    if (typeof o.text !== 'string') return reject('missing-text', 'text is missing');
    if (o.text.trim().length === 0) return reject('empty-message', 'text is empty');
    if (o.text.length > MAX_SMS_TEXT) {
      return reject('text-too-long', `text exceeds ${MAX_SMS_TEXT} characters`);
    }
    const gatewayReceivedAt = timeOf(o.receivedAt);
    if (gatewayReceivedAt === undefined) {
      return reject('invalid-received-at', 'receivedAt must be ISO 8601 or unix seconds');
    }
    const concat = concatOf(o.concat);
    if (concat === undefined) {
      return reject('invalid-concat', 'concat needs ref, total (1-255) and part (1..total)');
    }
    // The parts are joined into one petition, whose text the raw-petition schema bounds: a part
    // may hold its share of that bound (784 characters at 255 parts; a real part holds ≤ 160).
    if (concat && concat.total > 1 && o.text.length > Math.floor(MAX_RAW_TEXT / concat.total)) {
      return reject(
        'text-too-long',
        `a part of ${concat.total} may hold ${Math.floor(MAX_RAW_TEXT / concat.total)} characters`,
      );
    }
    const hotline = toE164(to);
    const meta: PetitionDraft['meta'] = {
      gatewayId,
      providerMessageId: id,
      to,
      gatewayReceivedAt,
    };
    if (concat && concat.total > 1) {
      meta.concatRef = concat.ref;
      meta.concatTotal = concat.total;
      meta.concatPart = concat.part;
    }
    return {
      ref: id,
      idempotencyKey: `sms:gateway:${gatewayId}:${id}`,
      channel: 'sms',
      provider: 'gateway',
      recipient: hotline ? this.recipients.forHotline(hotline) : null,
      petitioner: { name: null, phone: from, email: null, idNumber: null },
      subject: null,
      text: o.text,
      attachments: [],
      meta,
    };
  }

  reply(outcomes: ItemOutcome[]): ChannelReply {
    const results = outcomes.map((o) =>
      o.status === 'accepted'
        ? { id: o.ref, status: o.status, petitionId: o.petitionId }
        : { id: o.ref, status: o.status, code: o.code, message: o.message },
    );
    return {
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({ results }),
    };
  }
}

/** The signature a gateway sends (as bytes): HMAC-SHA256(secret, timestamp + "." + raw body). */
export function signSmsGatewayRequest(
  secret: Buffer | string,
  timestamp: string,
  rawBody: Buffer,
): Buffer {
  return createHmac('sha256', secret)
    .update(timestamp + '.', 'utf8')
    .update(rawBody)
    .digest();
}

/** The segment a draft is, or null for a whole message. */
export function segmentOf(draft: PetitionDraft): SegmentInfo | null {
  const { gatewayId, concatRef, concatTotal, concatPart, to } = draft.meta;
  if (typeof concatTotal !== 'number' || typeof concatPart !== 'number') return null;
  const from = draft.petitioner.phone ?? '';
  return {
    gatewayId: String(gatewayId),
    from: toE164(from) ?? from,
    to: toE164(String(to)) ?? String(to),
    ref: String(concatRef),
    total: concatTotal,
    part: concatPart,
  };
}

/** One message of a push, by its position in the request. */
export type BatchEntry =
  | { index: number; draft: PetitionDraft }
  | { index: number; rejected: RejectedItem }
  /** The same message (same id, same content) as the one at `sameAs`: it shares that outcome. */
  | { index: number; sameAs: number };

/** A message id as text, or why it is refused. */
function messageIdOf(v: unknown): string | { code: string; message: string } {
  // The JSON parser keeps integers beyond 2^53 as their digits (a string); a number that still
  // arrives here is exact only if it is a safe integer, else two ids could collapse into one.
  if (typeof v === 'number' && !Number.isSafeInteger(v)) {
    return {
      code: 'unsafe-integer-id',
      message: 'a numeric id must be an integer below 2^53; send larger ids as strings',
    };
  }
  const id = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
  if (MESSAGE_ID.test(id)) return id;
  return { code: 'invalid-message-id', message: 'id is missing or malformed' };
}

function header(request: InboundRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function messagesOf(body: unknown): unknown[] {
  if (typeof body !== 'object' || body === null) {
    throw new ChannelRequestError('invalid-body', 'expected a JSON object', 415);
  }
  if (Array.isArray(body)) return body;
  const messages = (body as { messages?: unknown }).messages;
  if (messages === undefined) return [body];
  if (!Array.isArray(messages)) {
    throw new ChannelRequestError('invalid-body', 'messages must be an array');
  }
  return messages;
}

/** ISO string for a gateway time, null when absent, undefined when malformed. */
function timeOf(v: unknown): string | null | undefined {
  if (v === undefined || v === null) return null;
  let ms: number;
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) ms = v * 1000;
  else if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) ms = Date.parse(v);
  else return undefined;
  // Within years 1970-9999: anything else is no gateway clock (and would not be an RFC 3339 time).
  return ms >= 0 && ms < MAX_TIME_MS ? new Date(ms).toISOString() : undefined;
}

/** The concatenation info, null when absent, undefined when malformed. */
function concatOf(v: unknown): { ref: string; total: number; part: number } | null | undefined {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) return undefined;
  const { ref, total, part } = v as Record<string, unknown>;
  const refText = typeof ref === 'number' && Number.isSafeInteger(ref) ? String(ref) : ref;
  if (typeof refText !== 'string' || !/^[\w-]{1,32}$/.test(refText)) return undefined;
  if (typeof total !== 'number' || !Number.isInteger(total) || total < 1 || total > 255) {
    return undefined;
  }
  if (typeof part !== 'number' || !Number.isInteger(part) || part < 1 || part > total) {
    return undefined;
  }
  return { ref: refText, total, part };
}
