import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import {
  DEAD_LETTER_SCHEMA,
  type AttachmentMeta,
  type DeadLetter,
  type Recipient,
  type TopicNames,
} from '@app/contracts';
import { RecipientDirectory, type ChannelsConfig } from '@app/config';
import type { RecordSink } from '@app/kafka';
import { MailParseError, parseMail, type MailParseFailure, type ParsedMail } from '@app/mail';
import { CHANNELS_CONFIG, RECORD_SINK, TOPIC_NAMES } from '../../config/tokens';
import { NotDurableError } from '../../http/channel-errors';
import { IntakeService } from '../../intake/intake.service';
import { GATEWAY_STATE, type GatewayState } from '../../state/gateway-state.port';
import { BlobStore } from './blob.store';
import { EmailStateStore } from './email-state.store';
import {
  emailIdempotencyKey,
  petitionIdOfReceipt,
  toPetitionDraft,
  type EmailMode,
} from './email-petition.mapper';
import { EMAIL_SETTINGS, EmailStats, type EmailSettings } from './email.tokens';
import { ReceiptSender, type ReceiptResult } from './receipt.sender';

export interface IngestContext {
  mode: EmailMode;
  /** Where it came from, e.g. `imap:zhongxian-county-head` or `smtp`. */
  source: string;
  /** Recipient ids (channels.yaml) of the mailboxes or envelope recipients it reached. */
  recipientIds: string[];
  /** SMTP envelope sender; '' is the null sender (bounces). Undefined for IMAP. */
  envelopeFrom?: string | null;
  receivedAt: Date;
  correlationId: string;
}

export type IngestOutcome =
  | {
      status: 'accepted';
      petitionId: string;
      /** Already made durable earlier (same Message-ID): nothing was published again. */
      duplicate: boolean;
      /** Resolves once the receipt was sent or skipped; never rejects. */
      receipt: Promise<ReceiptResult>;
    }
  | {
      status: 'dead-lettered';
      reason: MailParseFailure | 'invalid-petition';
      rawRef: string | null;
    };

/** Raw messages up to this size travel inside the dead letter; larger ones by reference only. */
const DEAD_LETTER_INLINE_BYTES = 512 * 1024;

/**
 * The one path both intake modes share: parse → store blobs → publish durably (or dead-letter
 * the raw bytes) → remember → receipt. Resolves only when the petition or the dead letter is
 * durable on Kafka; throws NotDurableError otherwise, so the mode leaves the message where it is
 * (IMAP: unflagged, retried next poll; SMTP: 451, the sender retries).
 */
@Injectable()
export class EmailIntakeService {
  private readonly directory: RecipientDirectory;

  constructor(
    private readonly intake: IntakeService,
    private readonly blobs: BlobStore,
    private readonly state: EmailStateStore,
    private readonly receipts: ReceiptSender,
    private readonly stats: EmailStats,
    @Inject(EMAIL_SETTINGS) private readonly settings: EmailSettings,
    @Inject(CHANNELS_CONFIG) channels: ChannelsConfig,
    @Inject(RECORD_SINK) private readonly sink: RecordSink,
    @Inject(TOPIC_NAMES) private readonly topics: TopicNames,
    @Inject(GATEWAY_STATE) private readonly shared: GatewayState,
    private readonly log: PinoLogger,
  ) {
    log.setContext(EmailIntakeService.name);
    this.directory = new RecipientDirectory(channels);
  }

  /** The recipient id our address belongs to, or null (SMTP answers 550 for null). */
  recipientForAddress(address: string): string | null {
    const lower = address.trim().toLowerCase();
    return this.settings.config.addresses.find((a) => a.address === lower)?.recipient ?? null;
  }

  async ingest(raw: Buffer, ctx: IngestContext): Promise<IngestOutcome> {
    let mail: ParsedMail;
    try {
      mail = await parseMail(raw);
    } catch (error) {
      const failure =
        error instanceof MailParseError
          ? error
          : new MailParseError(
              'unparseable',
              `unexpected parser failure: ${(error as Error).name}`,
            );
      return this.deadLetter(raw, failure.reason, failure.message, ctx);
    }
    const key = emailIdempotencyKey(mail);
    // Across replicas: the same mail by IMAP at one and SMTP at another is still one petition.
    return this.shared.withLock(`email:${key}`, () => this.accept(raw, mail, key, ctx));
  }

  private async accept(
    raw: Buffer,
    mail: ParsedMail,
    key: string,
    ctx: IngestContext,
  ): Promise<IngestOutcome> {
    const known = await this.state.petitionForKey(key);
    if (known) {
      this.stats.duplicates++;
      this.log.info({ petitionId: known, source: ctx.source }, 'mail already imported');
      return {
        status: 'accepted',
        petitionId: known,
        duplicate: true,
        receipt: Promise.resolve({ status: 'skipped', reason: 'already-imported' }),
      };
    }
    const limits = this.settings.config.limits;
    const attachments: AttachmentMeta[] = [];
    let skipped = 0;
    for (const a of mail.attachments) {
      if (
        attachments.length >= limits.maxAttachments ||
        a.content.length > limits.maxAttachmentBytes
      ) {
        skipped++;
        continue;
      }
      const blob = await this.blobs.put(a.content);
      attachments.push({
        filename: a.filename.slice(0, 255),
        contentType: a.contentType,
        size: blob.size,
        sha256: blob.sha256,
        ref: blob.ref,
      });
    }
    const originalRef =
      mail.body !== mail.fullText
        ? (await this.blobs.put(Buffer.from(mail.fullText, 'utf8'))).ref
        : null;
    const recipientIds = [...new Set(ctx.recipientIds)];
    const recipient: Recipient | null =
      recipientIds.map((id) => this.directory.byRecipientId(id)).find((r) => r !== null) ?? null;
    const draft = toPetitionDraft(mail, {
      mode: ctx.mode,
      recipient,
      recipientIds,
      attachments,
      attachmentsSkipped: skipped,
      originalRef,
      inReplyToPetitionId: await this.threadPetition(mail),
      source: ctx.source,
    });
    const [outcome] = await this.intake.accept(
      { items: [draft], rejected: [] },
      ctx.receivedAt,
      ctx.correlationId,
    );
    if (outcome?.status !== 'accepted') {
      // Intake refused it (the normalizer would dead-letter it): kept raw, never a receipt.
      const why = outcome?.status === 'rejected' ? outcome.message : 'no outcome';
      return this.deadLetter(raw, 'invalid-petition', why, ctx);
    }
    const petitionId = outcome.petitionId;
    await this.state.remember(
      key,
      mail.messageId ? [mail.messageId] : [],
      petitionId,
      ctx.receivedAt.getTime(),
    );
    this.stats.imported++;
    const receipt = this.receipts.send({
      mail,
      petitionId,
      recipientName: recipient?.name ?? null,
      envelopeFrom: ctx.envelopeFrom,
      receivedAt: ctx.receivedAt,
    });
    return { status: 'accepted', petitionId, duplicate: false, receipt };
  }

  /** The earlier petition a reply or follow-up belongs to: our receipt's id, else a known mail. */
  private async threadPetition(mail: ParsedMail): Promise<string | null> {
    for (const id of mail.threadIds) {
      const fromReceipt = petitionIdOfReceipt(id, this.settings.config.ownDomain);
      if (fromReceipt) return fromReceipt;
      const known = await this.state.petitionForMessageId(id);
      if (known) return known;
    }
    return null;
  }

  /**
   * Keeps bytes that are no petition: raw message into the blob store, a DeadLetter with the
   * reason onto the namespace's dlq topic. Never dropped; durable before the mode acknowledges.
   */
  async deadLetter(
    raw: Buffer | null,
    reason: MailParseFailure | 'invalid-petition',
    detail: string,
    ctx: Pick<IngestContext, 'source' | 'receivedAt' | 'correlationId'>,
  ): Promise<IngestOutcome> {
    const blob = raw ? await this.blobs.put(raw) : null;
    const record: DeadLetter = {
      schema: DEAD_LETTER_SCHEMA,
      reason: `email-${reason}`,
      detail: blob ? `${detail}; raw message kept as ${blob.ref} (${blob.size} bytes)` : detail,
      source: `email:${ctx.source}`,
      failedAt: ctx.receivedAt.toISOString(),
      payloadBase64: raw && raw.length <= DEAD_LETTER_INLINE_BYTES ? raw.toString('base64') : '',
    };
    try {
      await this.sink.publish({
        topic: this.topics.deadLetters,
        key: blob ? `email:sha256:${blob.sha256}` : `email:${ctx.source}`,
        value: JSON.stringify(record),
        headers: { 'correlation-id': ctx.correlationId, channel: 'email' },
      });
    } catch (error) {
      this.log.warn({ err: error, reason }, 'email dead letter not durable');
      throw new NotDurableError();
    }
    this.stats.deadLettered++;
    this.log.warn({ reason, source: ctx.source, rawRef: blob?.ref ?? null }, 'mail dead-lettered');
    return { status: 'dead-lettered', reason, rawRef: blob?.ref ?? null };
  }
}
