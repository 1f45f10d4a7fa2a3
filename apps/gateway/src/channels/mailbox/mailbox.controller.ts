import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Multipart } from '@fastify/multipart';
import { randomBytes } from 'node:crypto';
import { BlobStore } from '../email/blob.store';
import { GATEWAY_ENV } from '../../config/tokens';
import type { GatewayEnv } from '../../config/gateway.env';
import { ChannelError, ChannelRequestError, NotDurableError } from '../../http/channel-errors';
import { fastifyErrorResponse } from '../../http/fastify-error.handler';
import { IntakeService } from '../../intake/intake.service';
import type { InboundRequest } from '../channel-adapter';
import { toInbound } from '../../http/inbound-request';
import { KeyedMutex } from '../../state/keyed-mutex';
import { MailboxAdapter, MailboxValidationError } from './mailbox.adapter';
import {
  PAGE_SECURITY_HEADERS,
  renderForm,
  renderMessage,
  renderReceipt,
} from './mailbox-page.renderer';
import { MailboxSubmissionStore } from './mailbox-submission.store';
import type { ValidSubmission } from './mailbox-submission.validator';
import { queryCodeFor } from './query-code';
import { SubmissionRateLimiter } from './submission-rate.limiter';

export const MAILBOX_BLOBS = Symbol('MAILBOX_BLOBS');

interface Accepted {
  petitionId: string;
  queryCode: string;
  duplicate: boolean;
}

/**
 * The leader mailbox: `POST /channels/mailbox` for websites (JSON answers) and the citizen's own
 * page `GET|POST /mailbox/<id>` (HTML). Both: rate limit → validate → re-post check → attachments
 * to the blob store → durable publish → remember the submission → receipt.
 *
 * JSON answers: 201 `{ petitionId, queryCode, duplicate: false }`; a re-post 200 with
 * `duplicate: true` and the first number; 409 `submission-id-reused` for a different letter under
 * a submissionId already used; 400 `{ error: { code: "validation-failed", message,
 * fields: [ { field, code, message } ] } }`; 429 `{ error: { code: "rate-limited", reason:
 * "too-many-submissions", retryAfterSeconds, message } }` with Retry-After.
 */
@Controller()
export class MailboxController {
  private readonly locks = new KeyedMutex();

  constructor(
    private readonly adapter: MailboxAdapter,
    private readonly store: MailboxSubmissionStore,
    private readonly limiter: SubmissionRateLimiter,
    private readonly intake: IntakeService,
    @Inject(MAILBOX_BLOBS) private readonly blobs: BlobStore,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
  ) {}

  @Post('channels/mailbox')
  async submitJson(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const receivedAt = new Date();
    const limit = this.limiter.take(req.ip, receivedAt.getTime());
    if (!limit.allowed) {
      await res
        .status(429)
        .header('retry-after', String(limit.retryAfterSeconds))
        .send({
          error: {
            code: 'rate-limited',
            reason: 'too-many-submissions',
            retryAfterSeconds: limit.retryAfterSeconds,
            message: '提交过于频繁，请稍后再试',
          },
        });
      return;
    }
    const secret = this.querySecret();
    const inbound = await this.inbound(req);
    let submission: ValidSubmission;
    try {
      submission = this.adapter.submission(inbound);
    } catch (error) {
      if (!(error instanceof MailboxValidationError)) throw error;
      await res
        .status(400)
        .send({ error: { code: error.code, message: error.message, fields: error.fields } });
      return;
    }
    const accepted = await this.accept(submission, receivedAt, String(req.id), secret);
    await res.status(accepted.duplicate ? 200 : 201).send(accepted);
  }

  @Get('mailbox/:id')
  async page(@Param('id') id: string, @Res() res: FastifyReply): Promise<void> {
    const mailbox = this.adapter.mailboxes.get(id);
    if (!mailbox)
      return this.html(res, 404, renderMessage('信箱不存在', '您访问的信箱不存在，请检查网址。'));
    const submissionId = randomBytes(12).toString('base64url');
    return this.html(res, 200, renderForm({ mailbox, values: {}, errors: [], submissionId }));
  }

  @Post('mailbox/:id')
  async submitPage(
    @Param('id') id: string,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ): Promise<void> {
    const receivedAt = new Date();
    const mailbox = this.adapter.mailboxes.get(id);
    if (!mailbox)
      return this.html(res, 404, renderMessage('信箱不存在', '您访问的信箱不存在，请检查网址。'));
    const limit = this.limiter.take(req.ip, receivedAt.getTime());
    if (!limit.allowed) {
      void res.header('retry-after', String(limit.retryAfterSeconds));
      return this.html(
        res,
        429,
        renderMessage('提交过于频繁', `请${limit.retryAfterSeconds}秒后再试。`),
      );
    }
    const inbound = await this.inbound(req);
    let submission: ValidSubmission;
    try {
      // A body that is no form at all (a JSON string, thousands of keys) is refused as a whole,
      // in JSON with its code, before any field is looked at: no browser sends one.
      submission = this.adapter.submission(inbound, id);
    } catch (error) {
      if (!(error instanceof MailboxValidationError)) throw error;
      const values = error.values;
      const submissionId =
        typeof values.submissionId === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(values.submissionId)
          ? values.submissionId
          : randomBytes(12).toString('base64url');
      return this.html(
        res,
        400,
        renderForm({ mailbox, values, errors: error.fields, submissionId }),
      );
    }
    try {
      const accepted = await this.accept(
        submission,
        receivedAt,
        String(req.id),
        this.querySecret(),
      );
      return this.html(
        res,
        200,
        renderReceipt(mailbox, accepted.petitionId, accepted.queryCode, accepted.duplicate),
      );
    } catch (error) {
      if (error instanceof SubmissionIdReusedError) {
        return this.html(res, 409, renderMessage('表单已提交过', error.message));
      }
      if (!(error instanceof ChannelError) || error.status < 500) throw error;
      if (error instanceof NotDurableError)
        void res.header('retry-after', String(error.retryAfterSeconds));
      return this.html(
        res,
        error.status,
        renderMessage('系统繁忙', '您的信件暂未能提交，请稍后刷新页面重新提交。'),
      );
    }
  }

  /** The publish path shared by both routes, serialised per submission so a double post is one letter. */
  private async accept(
    s: ValidSubmission,
    receivedAt: Date,
    correlationId: string,
    secret: string,
  ): Promise<Accepted> {
    const identity = this.adapter.identityOf(s);
    return this.locks.run(identity.storeKey, async () => {
      const known = this.store.get(identity.storeKey);
      const windowMs = this.env.MAILBOX_DUPLICATE_WINDOW_SECONDS * 1000;
      // A submissionId names one letter: another letter under it (other text, other sender) is
      // refused, never answered with the first letter's number and query code. A record without
      // a digest (written before there was one) cannot prove it is the same letter.
      if (known && s.submissionId !== null && known.digest !== identity.digest) {
        throw new SubmissionIdReusedError();
      }
      if (known && (s.submissionId !== null || receivedAt.getTime() - known.at <= windowMs)) {
        return {
          petitionId: known.petitionId,
          queryCode: queryCodeFor(known.petitionId, secret),
          duplicate: true,
        };
      }
      // Bytes first: an event must never point at an attachment that is not stored.
      for (const file of s.attachments) await this.blobs.put(file.data);
      const draft = this.adapter.draftFor(s, identity.keyAt(receivedAt));
      const [outcome] = await this.intake.accept(
        { items: [draft], rejected: [] },
        receivedAt,
        correlationId,
      );
      if (outcome?.status !== 'accepted') throw new NotDurableError();
      await this.store.put(identity.storeKey, {
        petitionId: outcome.petitionId,
        at: receivedAt.getTime(),
        digest: identity.digest,
      });
      if (!s.submissionId) await this.store.prune(receivedAt.getTime() - windowMs);
      return {
        petitionId: outcome.petitionId,
        queryCode: queryCodeFor(outcome.petitionId, secret),
        duplicate: false,
      };
    });
  }

  private querySecret(): string {
    const secret = this.env.MAILBOX_QUERY_CODE_SECRET;
    if (!secret) throw new MailboxNotConfiguredError();
    return secret;
  }

  /** The request as the adapter sees it; multipart forms are read here, files into memory within limits. */
  private async inbound(req: FastifyRequest): Promise<InboundRequest> {
    const inbound = toInbound(req, this.env);
    if (!req.isMultipart()) return inbound;
    const maxFiles = Math.max(
      0,
      ...[...this.adapter.mailboxes.values()].map((m) => m.attachments.maxFiles),
    );
    const maxBytes = Math.max(
      1,
      ...[...this.adapter.mailboxes.values()].map((m) => m.attachments.maxBytes),
    );
    const fields: Record<string, unknown> = {};
    const attachments: Record<string, unknown>[] = [];
    // One more file than any mailbox allows, so "too many" is seen rather than silently dropped.
    const parts = req.parts({
      limits: {
        files: maxFiles + 1,
        fileSize: maxBytes,
        fields: 40,
        fieldSize: 64 * 1024,
        parts: maxFiles + 41,
      },
    });
    try {
      await this.readParts(parts, fields, attachments);
    } catch (error) {
      throw multipartError(error);
    }
    if (attachments.length > 0) fields.attachments = attachments;
    return { ...inbound, body: fields };
  }

  private async readParts(
    parts: AsyncIterable<Multipart>,
    fields: Record<string, unknown>,
    attachments: Record<string, unknown>[],
  ): Promise<void> {
    for await (const part of parts) {
      if (part.type === 'file') {
        const file = part;
        const data = await file.toBuffer();
        // A file input left empty still sends a part, without name or bytes.
        if (!file.filename && data.length === 0) continue;
        attachments.push({
          filename: file.filename,
          contentType: file.mimetype,
          data,
          truncated: file.file.truncated,
        });
      } else {
        const field = part;
        const previous = fields[field.fieldname];
        fields[field.fieldname] =
          previous === undefined ? field.value : ([] as unknown[]).concat(previous, field.value);
      }
    }
  }

  private async html(res: FastifyReply, status: number, body: string): Promise<void> {
    await res
      .status(status)
      .headers(PAGE_SECURITY_HEADERS)
      .header('content-type', 'text/html; charset=utf-8')
      .send(body);
  }
}

/**
 * What reading a multipart body can throw, as a client error: the multipart plugin's own errors
 * (limits, prototype field names) keep their status and get our code; the parser's (a missing
 * boundary, a truncated part) carry no status and are the sender's malformed body, not a 500.
 */
function multipartError(error: unknown): ChannelRequestError {
  const e = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const { body } = fastifyErrorResponse(e as Parameters<typeof fastifyErrorResponse>[0]);
    return new ChannelRequestError(
      body.error.code,
      body.error.message,
      e.statusCode === 413 ? 413 : 400,
    );
  }
  return new ChannelRequestError(
    'invalid-multipart',
    `malformed multipart body: ${typeof e.message === 'string' ? e.message : 'unreadable'}`,
  );
}

/** A submissionId already used by a different letter: 409, nothing published, no number given. */
export class SubmissionIdReusedError extends ChannelError {
  readonly status = 409;
  readonly retriable = false;
  constructor() {
    super(
      'submission-id-reused',
      '这份表单已经提交过另一封信件；如需再写一封，请重新打开信箱页面填写',
    );
  }
}

export class MailboxNotConfiguredError extends ChannelError {
  readonly status = 503;
  readonly retriable = false;
  constructor() {
    super('mailbox-not-configured', 'MAILBOX_QUERY_CODE_SECRET is not set');
  }
}
