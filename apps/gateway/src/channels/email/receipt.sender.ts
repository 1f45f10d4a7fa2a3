import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { randomBytes } from 'node:crypto';
import { createTransport, type Transporter } from 'nodemailer';
import type { ParsedMail } from '@app/mail';
import { receiptMessageId } from './email-petition.mapper';
import { EMAIL_SETTINGS, EmailStats, type EmailSettings } from './email.tokens';
import { receiptBlocked, SenderRateLimiter, type ReceiptSkip } from './receipt.policy';

export type ReceiptResult =
  | { status: 'sent'; messageId: string }
  | { status: 'skipped'; reason: ReceiptSkip }
  | { status: 'failed' };

const SHANGHAI = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** The receipt's text: plain Chinese, the tracking number on a line of its own. */
export function receiptText(args: {
  petitionId: string;
  recipientName: string | null;
  subject: string | null;
  receivedAt: Date;
}): string {
  const to = args.recipientName ? `发送至「${args.recipientName}」的` : '';
  const about = args.subject ? `（主题：${args.subject.slice(0, 60)}）` : '';
  return [
    '您好：',
    '',
    `您${to}来信${about}已于${SHANGHAI.format(args.receivedAt)}收到并登记。`,
    `受理编号：${args.petitionId}`,
    '',
    '请妥善保存此编号，可凭编号查询办理进度。如需补充材料，请直接回复本邮件，补充内容将关联到同一信访事项，无需重复来信。',
    '',
    '此邮件由系统自动发送。',
  ].join('\n');
}

/**
 * Sends auto-reply receipts (回执) over the configured SMTP server, threaded to the citizen's
 * mail. Runs after the petition is durable and never fails intake: a failure is logged (ids
 * only) and counted. Sends run in the background; shutdown waits for those in flight.
 */
@Injectable()
export class ReceiptSender implements BeforeApplicationShutdown {
  private transport?: Transporter;
  private readonly limiter: SenderRateLimiter;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly ownAddresses: Set<string>;

  constructor(
    @Inject(EMAIL_SETTINGS) private readonly settings: EmailSettings,
    private readonly stats: EmailStats,
    private readonly log: PinoLogger,
  ) {
    log.setContext(ReceiptSender.name);
    const receipts = settings.config.receipts;
    this.limiter = new SenderRateLimiter(receipts?.maxPerSenderPerHour ?? 1);
    this.ownAddresses = new Set(settings.config.addresses.map((a) => a.address));
    if (receipts) this.ownAddresses.add(receipts.fromAddress.toLowerCase());
  }

  private transporter(): Transporter {
    const smtp = this.settings.config.receipts?.smtp;
    if (!smtp) throw new Error('receipts are not configured');
    if (!this.transport) {
      const pass = smtp.passwordEnv ? this.settings.env.passwords[smtp.passwordEnv] : undefined;
      this.transport = createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        ignoreTLS: smtp.ignoreTls,
        auth: smtp.user && pass ? { user: smtp.user, pass } : undefined,
        connectionTimeout: 10000,
        greetingTimeout: 10000,
        socketTimeout: 20000,
      });
    }
    return this.transport;
  }

  /** Decides and, when allowed, sends in the background; resolves with what happened. */
  send(args: {
    mail: ParsedMail;
    petitionId: string;
    recipientName: string | null;
    envelopeFrom: string | null | undefined;
    receivedAt: Date;
  }): Promise<ReceiptResult> {
    const task = this.decideAndSend(args);
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
    return task;
  }

  private skip(reason: ReceiptSkip): ReceiptResult {
    this.stats.receiptsSkipped[reason] = (this.stats.receiptsSkipped[reason] ?? 0) + 1;
    return { status: 'skipped', reason };
  }

  private async decideAndSend(args: {
    mail: ParsedMail;
    petitionId: string;
    recipientName: string | null;
    envelopeFrom: string | null | undefined;
    receivedAt: Date;
  }): Promise<ReceiptResult> {
    const receipts = this.settings.config.receipts;
    if (!receipts?.enabled) return this.skip('disabled');
    const { mail, petitionId } = args;
    const ownDomain = this.settings.config.ownDomain;
    const blocked = receiptBlocked({
      mail,
      envelopeFrom: args.envelopeFrom,
      ownDomain,
      ownAddresses: this.ownAddresses,
    });
    if (blocked) {
      this.log.info({ petitionId, reason: blocked }, 'receipt not sent');
      return this.skip(blocked);
    }
    const to = mail.from?.address ?? '';
    if (!this.limiter.take(to, Date.now())) {
      this.log.warn({ petitionId }, 'receipt rate limit reached for this sender');
      return this.skip('rate-limited');
    }
    const messageId = receiptMessageId(petitionId, randomBytes(6).toString('hex'), ownDomain);
    const references = [...mail.threadIds].reverse();
    if (mail.messageId) references.push(mail.messageId);
    try {
      await this.transporter().sendMail({
        from: { name: receipts.fromName, address: receipts.fromAddress },
        to,
        subject: `信访事项受理回执（受理编号：${petitionId}）`,
        text: receiptText({
          petitionId,
          recipientName: args.recipientName,
          subject: mail.subject,
          receivedAt: args.receivedAt,
        }),
        messageId: `<${messageId}>`,
        inReplyTo: mail.messageId ? `<${mail.messageId}>` : undefined,
        references: references.map((id) => `<${id}>`),
        headers: {
          'Auto-Submitted': 'auto-replied',
          'X-Auto-Response-Suppress': 'All',
          'X-Loop': ownDomain,
        },
      });
      this.stats.receiptsSent++;
      this.log.info({ petitionId }, 'receipt sent');
      return { status: 'sent', messageId };
    } catch (error) {
      this.stats.receiptsFailed++;
      // The error may quote the address: log its kind and code only.
      const code = (error as { code?: unknown }).code;
      this.log.warn(
        { petitionId, error: (error as Error).name, code: typeof code === 'string' ? code : null },
        'receipt could not be sent',
      );
      return { status: 'failed' };
    }
  }

  /** Waits for receipts in flight (tests, shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.drain();
    this.transport?.close();
  }
}
