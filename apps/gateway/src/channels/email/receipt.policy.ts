import { isSystemSender, type ParsedMail } from '@app/mail';

/** Why no receipt goes to a mail, or null when one may. */
export type ReceiptSkip =
  | 'disabled'
  | 'no-sender'
  | 'automated'
  | 'null-envelope-sender'
  | 'own-mail'
  | 'rate-limited'
  | 'already-imported';

export interface ReceiptPolicyInput {
  mail: Pick<ParsedMail, 'from' | 'messageId' | 'automated'>;
  /** The SMTP envelope sender when the mail came by SMTP: '' is the null sender of bounces. */
  envelopeFrom: string | null | undefined;
  ownDomain: string;
  /** Our addresses (inbound mailboxes and the receipt sender), lower-cased. */
  ownAddresses: ReadonlySet<string>;
}

/**
 * RFC 3834 loop prevention: never answer machines (auto-replies, bounces, lists, system
 * senders), the null sender, or mail from ourselves (our addresses, our Message-ID domain).
 */
export function receiptBlocked(input: ReceiptPolicyInput): ReceiptSkip | null {
  const { mail, ownDomain } = input;
  const address = mail.from?.address ?? null;
  if (!address) return 'no-sender';
  if (input.envelopeFrom === '') return 'null-envelope-sender';
  if (mail.automated) return 'automated';
  if (isSystemSender(address) || isSystemSender(input.envelopeFrom)) return 'automated';
  const domain = ownDomain.toLowerCase();
  if (input.ownAddresses.has(address) || address.endsWith(`@${domain}`)) return 'own-mail';
  if (mail.messageId?.toLowerCase().endsWith(`@${domain}`)) return 'own-mail';
  return null;
}

/**
 * At most `max` receipts per sender address per hour. Kept in memory, per process: a restart
 * forgets the counts, and several gateway instances each allow `max`. That bounds what a forged
 * sender can make us send, which is the point; it is not an accounting record.
 */
export class SenderRateLimiter {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs = 3600_000,
    private readonly maxSenders = 100_000,
  ) {}

  /** Takes a slot for `sender` at `now` and returns true, or returns false when over the limit. */
  take(sender: string, now: number): boolean {
    const recent = (this.sent.get(sender) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.max) {
      this.sent.set(sender, recent);
      return false;
    }
    recent.push(now);
    this.sent.delete(sender);
    this.sent.set(sender, recent);
    // Bounded memory: forget the senders seen longest ago (Map keeps insertion order).
    while (this.sent.size > this.maxSenders) {
      const oldest = this.sent.keys().next().value;
      if (oldest === undefined) break;
      this.sent.delete(oldest);
    }
    return true;
  }
}
