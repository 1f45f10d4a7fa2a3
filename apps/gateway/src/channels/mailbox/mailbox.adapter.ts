import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { RecipientDirectory, type ChannelsConfig, type MailboxConfig } from '@app/config';
import type { AttachmentMeta } from '@app/contracts';
import { CHANNELS_CONFIG } from '../../config/tokens';
import { ChannelRequestError } from '../../http/channel-errors';
import { shapeSubmission } from './submission-shape';
import type {
  ChannelAdapter,
  ChannelReply,
  InboundRequest,
  ItemOutcome,
  ParsedRequest,
  PetitionDraft,
} from '../channel-adapter';
import {
  validateSubmission,
  type FieldError,
  type UploadedFile,
  type ValidSubmission,
} from './mailbox-submission.validator';

/** A submission with invalid fields: 400 with every field listed. */
export class MailboxValidationError extends ChannelRequestError {
  constructor(
    readonly fields: FieldError[],
    /** The form's fields as checked (trimmed, capped), for the page to fill in again. */
    readonly values: Record<string, unknown> = {},
  ) {
    super('validation-failed', '提交的内容有误，请按提示修改后重新提交');
  }
}

/** How a submission is recognised when it is posted again. */
export interface SubmissionIdentity {
  /** Where the published submission is remembered (`s:` by submissionId, `f:` by fingerprint). */
  storeKey: string;
  /**
   * Everything the sender typed and attached, hashed: a re-post under a known submissionId is the
   * same letter only if this matches, so a reused id never hands out another letter's query code.
   */
  digest: string;
  /** The petition's idempotency key, given the time it was first received. */
  keyAt(receivedAt: Date): string;
}

/**
 * Leader mailboxes (领导信箱): government websites post letters to `POST /channels/mailbox`
 * (JSON, urlencoded or multipart form) and citizens use our own page at `/mailbox/<id>`.
 *
 * Re-posts: a submission with a `submissionId` (websites should send one per form; our page
 * does) is the same letter whenever it is posted again. Without one, the same mailbox, phone,
 * title and content within MAILBOX_DUPLICATE_WINDOW_SECONDS is the same letter. Either way the
 * re-post gets the first tracking number and publishes nothing.
 */
@Injectable()
export class MailboxAdapter implements ChannelAdapter {
  readonly route = 'mailbox';
  readonly channel = 'mailbox' as const;
  readonly provider = 'web';
  readonly mailboxes: ReadonlyMap<string, MailboxConfig>;
  private readonly recipients: RecipientDirectory;

  constructor(@Inject(CHANNELS_CONFIG) channels: ChannelsConfig) {
    this.recipients = new RecipientDirectory(channels);
    this.mailboxes = new Map(channels.mailboxes.map((m) => [m.id, m]));
  }

  /** A public form: there is no sender to authenticate (abuse is met by the rate limit). */
  verify(): void {}

  parse(request: InboundRequest): ParsedRequest {
    const submission = this.submission(request);
    return {
      items: [this.draftFor(submission, this.identityOf(submission).keyAt(new Date(0)))],
      rejected: [],
    };
  }

  /**
   * Pure: the validated submission, or MailboxValidationError listing every invalid field. The
   * body's shape is bounded first (shapeSubmission: SubmissionShapeError for a body that is no
   * letter at all). `mailboxId` is the mailbox named by the page's path, which wins over the body.
   */
  submission(request: InboundRequest, mailboxId?: string): ValidSubmission {
    const { fields, attachments } = shapeSubmission(request.body);
    if (mailboxId !== undefined) fields.mailbox = mailboxId;
    const files = filesOf(attachments);
    // Malformed attachments are reported by name only; their content never reaches the DTO.
    const input = files === null ? { ...fields, attachments: true } : fields;
    const result = validateSubmission(input, files ?? [], this.mailboxes);
    if (!result.ok) throw new MailboxValidationError(result.errors, fields);
    return result.value;
  }

  identityOf(s: ValidSubmission): SubmissionIdentity {
    const prefix = `mailbox:web:${s.mailbox.id}`;
    const digest = submissionDigest(s);
    if (s.submissionId) {
      // The digest is in the key too: should the store ever miss the first letter (lost state),
      // a different letter under the same id still gets a number of its own.
      const key = `${prefix}:s:${s.submissionId}:${digest.slice(0, 16)}`;
      return { storeKey: `s:${s.mailbox.id}:${s.submissionId}`, digest, keyAt: () => key };
    }
    const fp = createHash('sha256')
      .update([s.mailbox.id, s.phone, squash(s.title), squash(s.content)].join('\u0000'))
      .digest('hex')
      .slice(0, 32);
    return {
      storeKey: `f:${fp}`,
      digest,
      keyAt: (at) => `${prefix}:f:${fp}:${at.getTime().toString(36)}`,
    };
  }

  draftFor(s: ValidSubmission, idempotencyKey: string): PetitionDraft {
    return {
      ref: s.submissionId ?? idempotencyKey,
      idempotencyKey,
      channel: 'mailbox',
      provider: 'web',
      recipient: this.recipients.byRecipientId(s.mailbox.recipient),
      petitioner: { name: s.name, phone: s.phone, email: s.email, idNumber: s.idNumber },
      subject: s.title,
      text: s.content,
      attachments: s.attachments.map(attachmentMeta),
      meta: {
        mailboxId: s.mailbox.id,
        mailboxTitle: s.mailbox.title,
        agreePublic: s.agreePublic,
        address: s.address,
        submissionId: s.submissionId,
      },
    };
  }

  reply(outcomes: ItemOutcome[]): ChannelReply {
    return {
      status: 201,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({ results: outcomes }),
    };
  }
}

export function attachmentMeta(f: UploadedFile): AttachmentMeta {
  const sha256 = createHash('sha256').update(f.data).digest('hex');
  return {
    filename: safeFilename(f.filename),
    contentType: f.contentType,
    size: f.data.length,
    sha256,
    ref: `blob:sha256/${sha256}`,
  };
}

/** Files given as `{ filename, contentType, contentBase64 }` (JSON) or with `data` bytes (form). */
function filesOf(v: unknown): UploadedFile[] | null {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return null;
  const out: UploadedFile[] = [];
  for (const f of v as unknown[]) {
    if (typeof f !== 'object' || f === null) return null;
    const { filename, contentType, contentBase64, data, truncated } = f as Record<string, unknown>;
    if (typeof filename !== 'string' || typeof contentType !== 'string') return null;
    let bytes: Buffer;
    if (Buffer.isBuffer(data)) bytes = data;
    else if (typeof contentBase64 === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(contentBase64)) {
      bytes = Buffer.from(contentBase64, 'base64');
    } else return null;
    out.push({
      filename,
      contentType: contentType.toLowerCase().split(';')[0]!.trim(),
      data: bytes,
      truncated: truncated === true,
    });
  }
  return out;
}

function safeFilename(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f]/g, '');
  return (clean || 'attachment').slice(0, 200);
}

/** Every field of the letter as validated (blanks aside) and each attachment's bytes, hashed. */
function submissionDigest(s: ValidSubmission): string {
  const hash = createHash('sha256');
  for (const part of [
    s.mailbox.id,
    squash(s.name),
    s.phone,
    s.idNumber ?? '',
    s.email ?? '',
    squash(s.address ?? ''),
    squash(s.title),
    squash(s.content),
    String(s.agreePublic),
    ...s.attachments.map((f) => createHash('sha256').update(f.data).digest('hex')),
  ]) {
    hash.update(part).update('\u0000');
  }
  return hash.digest('hex');
}

function squash(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, ' ').trim();
}
