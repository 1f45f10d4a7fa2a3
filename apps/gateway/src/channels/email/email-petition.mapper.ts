import { createHash } from 'node:crypto';
import { parseTrackingNumber, type AttachmentMeta, type Recipient } from '@app/contracts';
import { phoneInSignature } from '@app/identity';
import type { ParsedMail } from '@app/mail';
import type { PetitionDraft } from '../channel-adapter';

export type EmailMode = 'imap' | 'smtp';

/**
 * Schema limits of RawPetition (raw-petition.v1.schema.json), or of the event where it is stricter
 * (subject 1000, name 100): past those the gateway's intake refuses the mail (issue 24, item 9).
 */
const MAX_SUBJECT = 1000;
const MAX_NAME = 100;
const MAX_TEXT = 200000;
const MAX_KEY_ID = 400;

/**
 * The idempotency key of a mail: `email:<Message-ID>`, the same whether it came by IMAP or SMTP
 * (an agency may forward what a mailbox also received), or `email:sha256:<raw hash>` for mail
 * without a Message-ID. Overlong ids are hashed to stay within the contract's key length.
 */
export function emailIdempotencyKey(mail: Pick<ParsedMail, 'messageId' | 'rawSha256'>): string {
  if (!mail.messageId) return `email:sha256:${mail.rawSha256}`;
  if (mail.messageId.length > MAX_KEY_ID)
    return `email:mid-sha256:${createHash('sha256').update(mail.messageId).digest('hex')}`;
  return `email:${mail.messageId}`;
}

/** Our receipts' Message-IDs carry the tracking number: `receipt.XF-….<random>@<ownDomain>`. */
export function receiptMessageId(petitionId: string, random: string, ownDomain: string): string {
  return `receipt.${petitionId}.${random}@${ownDomain}`;
}

/** The tracking number a receipt Message-ID of ours names, or null. */
export function petitionIdOfReceipt(messageId: string, ownDomain: string): string | null {
  const m = /^receipt\.(XF-[0-9A-Z]{13})\.[^@]*@(.+)$/.exec(messageId);
  if (!m || m[2]?.toLowerCase() !== ownDomain.toLowerCase()) return null;
  return parseTrackingNumber(m[1] ?? '');
}

export interface EmailDraftContext {
  mode: EmailMode;
  recipient: Recipient | null;
  /** Every recipient id the mail reached (several of our mailboxes in To/Cc). */
  recipientIds: string[];
  attachments: AttachmentMeta[];
  attachmentsSkipped: number;
  /** Where the full decoded text is, when the body had quotes or a signature stripped. */
  originalRef: string | null;
  /** The earlier petition this mail answers or follows up, when the thread names one we know. */
  inReplyToPetitionId: string | null;
  /** Which of our endpoints it came through, e.g. `imap:zhongxian-county-head` or `smtp`. */
  source: string;
}

/** Pure: the petition a parsed mail becomes. No I/O, no clock. */
export function toPetitionDraft(mail: ParsedMail, ctx: EmailDraftContext): PetitionDraft {
  const truncated = mail.fullText.length > MAX_TEXT;
  return {
    ref: mail.messageId ?? `sha256:${mail.rawSha256}`,
    idempotencyKey: emailIdempotencyKey(mail),
    channel: 'email',
    provider: ctx.mode,
    recipient: ctx.recipient,
    petitioner: {
      name: mail.from?.name?.slice(0, MAX_NAME) ?? null,
      // The sender's card below "-- ": the body leaves it out, yet it is how they are called back
      // and what links this mail to their SMS.
      phone: phoneInSignature(mail.signature),
      email: mail.from && mail.from.address.length <= 320 ? mail.from.address : null,
      idNumber: null,
    },
    subject: mail.subject?.slice(0, MAX_SUBJECT) ?? null,
    // The event's `original` is the whole decoded mail text; its `body` the petition without
    // quoted replies and signature.
    text: truncated ? mail.fullText.slice(0, MAX_TEXT) : mail.fullText,
    body: mail.body.slice(0, MAX_TEXT),
    attachments: ctx.attachments,
    meta: {
      source: ctx.source,
      messageId: mail.messageId,
      recipients: ctx.recipientIds.join(',') || null,
      sentAt: mail.date?.toISOString() ?? null,
      inReplyToPetitionId: ctx.inReplyToPetitionId,
      quotesStripped: mail.body !== mail.fullText,
      originalRef: ctx.originalRef,
      fromHtml: mail.fromHtml,
      automated: mail.automated,
      attachmentsSkipped: ctx.attachmentsSkipped,
      truncated,
    },
  };
}
