/**
 * Why a mail was sent by a machine rather than a person, or null. Receipts are never sent to
 * such mail (RFC 3834 §2): answering an auto-reply, a bounce or a list starts a mail loop or
 * spams a list. Checked from the headers as received, before any of our own processing.
 */
export type AutomatedReason =
  | 'auto-submitted'
  | 'precedence'
  | 'x-loop'
  | 'mailing-list'
  | 'system-sender'
  | 'null-return-path'
  | 'delivery-report'
  | 'auto-response-header';

export interface HeaderLine {
  /** Lower-case header name. */
  key: string;
  /** The value, unfolded, as received. */
  value: string;
}

const SYSTEM_LOCAL_PARTS =
  /^(?:mailer-daemon|postmaster|no-?reply|do-?not-?reply|noreply-[\w.-]+|bounces?(?:[+-].*)?|auto-?reply|autoresponder)$/i;

export function isSystemSender(address: string | null | undefined): boolean {
  if (!address) return false;
  const local = address.split('@')[0] ?? '';
  return SYSTEM_LOCAL_PARTS.test(local);
}

export function automatedReason(
  headers: HeaderLine[],
  fromAddress: string | null,
  contentType: string,
): AutomatedReason | null {
  const all = (key: string) => headers.filter((h) => h.key === key).map((h) => h.value.trim());
  const autoSubmitted = all('auto-submitted');
  if (autoSubmitted.some((v) => !/^no\b/i.test(v))) return 'auto-submitted';
  if (all('precedence').some((v) => /^(?:bulk|junk|list|auto_reply)\b/i.test(v)))
    return 'precedence';
  if (all('x-loop').length > 0) return 'x-loop';
  if (headers.some((h) => h.key.startsWith('list-'))) return 'mailing-list';
  if (all('x-autoreply').length > 0 || all('x-autorespond').length > 0)
    return 'auto-response-header';
  if (all('x-auto-response-suppress').some((v) => /\b(?:all|oof|autoreply)\b/i.test(v)))
    return 'auto-response-header';
  if (all('return-path').some((v) => /^<\s*>$/.test(v))) return 'null-return-path';
  if (/^multipart\/report\b/i.test(contentType) || /^message\/delivery-status/i.test(contentType))
    return 'delivery-report';
  if (isSystemSender(fromAddress)) return 'system-sender';
  return null;
}
