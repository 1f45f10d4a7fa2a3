import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { BlobStore } from '../email/blob.store';
import { GATEWAY_ENV } from '../../config/tokens';
import type { GatewayEnv } from '../../config/gateway.env';
import type { MailboxConfig } from '@app/config';
import { ChannelError, ChannelRequestError, NotDurableError } from '../../http/channel-errors';
import { IntakeService } from '../../intake/intake.service';
import type { InboundRequest } from '../channel-adapter';
import { toInbound } from '../../http/inbound-request';
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
import { budgetOf, largestBudget, readMultipart } from './multipart-reader';

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
    const limit = await this.limiter.take(req.ip, receivedAt.getTime());
    if (!limit.allowed) {
      closeUnread(req, res);
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
    const inbound = await this.inbound(req, res);
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
    if (!mailbox) {
      // Known from the path: an unknown mailbox is answered before a byte of the body is read.
      closeUnread(req, res);
      return this.html(res, 404, renderMessage('信箱不存在', '您访问的信箱不存在，请检查网址。'));
    }
    const limit = await this.limiter.take(req.ip, receivedAt.getTime());
    if (!limit.allowed) {
      closeUnread(req, res);
      void res.header('retry-after', String(limit.retryAfterSeconds));
      return this.html(
        res,
        429,
        renderMessage('提交过于频繁', `请${limit.retryAfterSeconds}秒后再试。`),
      );
    }
    const inbound = await this.inbound(req, res, mailbox);
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
      if (error instanceof ChannelRequestError) {
        return this.html(
          res,
          400,
          renderMessage('信件未能提交', '信件内容不符合要求，请修改后重新提交。'),
        );
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
    return this.store.withLock(identity.storeKey, async () => {
      const known = await this.store.get(identity.storeKey);
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
      // Refused by intake's checks (what the normalizer would dead-letter): the sender's to fix,
      // not ours to retry.
      if (outcome?.status === 'rejected') {
        throw new ChannelRequestError(outcome.code, outcome.message);
      }
      if (outcome?.status !== 'accepted') throw new NotDurableError();
      await this.store.put(
        identity.storeKey,
        { petitionId: outcome.petitionId, at: receivedAt.getTime(), digest: identity.digest },
        windowMs,
      );
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

  /**
   * The request as the adapter sees it; multipart forms are read here, within the budget of the
   * page's mailbox (`mailbox`) or, on the API, of the largest mailbox until the form names one.
   * A body refused before it was read whole closes the connection instead of being drained.
   */
  private async inbound(
    req: FastifyRequest,
    res: FastifyReply,
    mailbox?: MailboxConfig,
  ): Promise<InboundRequest> {
    const inbound = toInbound(req, this.env);
    if (!req.isMultipart()) return inbound;
    const limit = this.env.BODY_LIMIT_BYTES;
    const budget = mailbox
      ? budgetOf(mailbox, limit)
      : largestBudget(this.adapter.mailboxes.values(), limit);
    try {
      const body = await readMultipart(req, budget, (id) => {
        const named = mailbox ? undefined : this.adapter.mailboxes.get(id);
        return named && budgetOf(named, limit);
      });
      return { ...inbound, body };
    } catch (error) {
      closeUnread(req, res);
      throw error;
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
 * An answer sent before a multipart body was read: the connection closes after it (Node destroys
 * the socket once the answer is written) instead of reading the rest, however large.
 */
function closeUnread(req: FastifyRequest, res: FastifyReply): void {
  if (req.isMultipart()) void res.header('connection', 'close');
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
