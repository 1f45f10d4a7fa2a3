import { convert as htmlToText } from 'html-to-text';
import { simpleParser, type AddressObject, type ParsedMail as LibParsedMail } from 'mailparser';
import { createHash } from 'node:crypto';
import { automatedReason, type AutomatedReason, type HeaderLine } from './automated-mail.detector';
import { relabelGbCharsets } from './charset-label.rewriter';
import { MailParseError } from './mail-parse.error';
import { splitMailText } from './quote.stripper';

export interface MailAddress {
  name: string | null;
  /** Lower-cased. */
  address: string;
}

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** A mail as the intake needs it: decoded, with the petition body separated from quotes. */
export interface ParsedMail {
  /** Message-ID without angle brackets, or null when the mail has none. */
  messageId: string | null;
  /** Message-IDs this mail answers (In-Reply-To first, then References, newest first). */
  threadIds: string[];
  date: Date | null;
  from: MailAddress | null;
  replyTo: MailAddress | null;
  /** Every address in To and Cc, lower-cased. */
  to: string[];
  subject: string | null;
  /** The decoded text as received: the text part, else the HTML part converted to text. */
  fullText: string;
  /** {@link fullText} without quoted replies and signatures: the petition itself. */
  body: string;
  /** The sender's signature below the "-- " delimiter (not a quoted mail's), or ''. */
  signature: string;
  /** Whether the text came from an HTML part (there was no text/plain alternative). */
  fromHtml: boolean;
  attachments: MailAttachment[];
  /** Why no human should be answered (auto-reply, bounce, list…), or null. */
  automated: AutomatedReason | null;
  /** SHA-256 of the raw bytes as received (the idempotency key of mail without Message-ID). */
  rawSha256: string;
}

// Headers every real message has at least one of; input without any is not a mail at all.
const MESSAGE_HEADERS = new Set([
  'from',
  'to',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'received',
  'return-path',
  'sender',
]);

function addresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const out: MailAddress[] = [];
  const walk = (entries: AddressObject['value']): void => {
    for (const e of entries) {
      if (e.group) walk(e.group);
      else if (e.address)
        out.push({ name: e.name?.trim() || null, address: e.address.trim().toLowerCase() });
    }
  };
  for (const obj of list) walk(obj.value);
  return out;
}

/** Message-IDs in a header value, without angle brackets (`<a@b> <c@d>` → [a@b, c@d]). */
export function messageIdsIn(value: string | string[] | undefined): string[] {
  const all = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const ids: string[] = [];
  for (const v of all) {
    const bracketed = v.match(/<[^<>\s]+>/g);
    if (bracketed) ids.push(...bracketed.map((b) => b.slice(1, -1)));
    else if (v.trim() && !/\s/.test(v.trim())) ids.push(v.trim());
  }
  return ids;
}

function headerLines(mail: LibParsedMail): HeaderLine[] {
  return mail.headerLines.map((h) => ({
    key: h.key.toLowerCase(),
    // `line` is the whole raw line, name included; unfold and drop the name.
    value: h.line
      .replace(/\r?\n[ \t]+/g, ' ')
      .replace(/^[^:]*:/, '')
      .trim(),
  }));
}

function textOf(mail: LibParsedMail): { text: string; fromHtml: boolean } {
  const plain = mail.text ?? '';
  if (plain.trim().length > 0) return { text: plain, fromHtml: false };
  if (typeof mail.html === 'string' && mail.html.trim().length > 0) {
    const text = htmlToText(mail.html, {
      wordwrap: false,
      selectors: [
        { selector: 'a', options: { ignoreHref: true } },
        { selector: 'img', format: 'skip' },
        { selector: 'h1', options: { uppercase: false } },
        { selector: 'h2', options: { uppercase: false } },
        { selector: 'h3', options: { uppercase: false } },
        { selector: 'table', format: 'dataTable' },
      ],
    });
    return { text, fromHtml: true };
  }
  return { text: plain, fromHtml: false };
}

/**
 * Parses a raw RFC 5322 message. Pure: no I/O, no clock. Throws {@link MailParseError} when the
 * bytes are not a mail or carry nothing a petition could be made of; everything else (odd
 * charsets, broken parts) is decoded as well as it can be.
 */
export async function parseMail(raw: Buffer): Promise<ParsedMail> {
  const rawSha256 = createHash('sha256').update(raw).digest('hex');
  let mail: LibParsedMail;
  try {
    mail = await simpleParser(relabelGbCharsets(raw), {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      skipImageLinks: true,
      keepCidLinks: true,
    });
  } catch (error) {
    throw new MailParseError('unparseable', `the MIME parser failed: ${(error as Error).name}`);
  }
  const headers = headerLines(mail);
  if (!headers.some((h) => MESSAGE_HEADERS.has(h.key)))
    throw new MailParseError('not-a-message', 'no message header found');

  const { text, fromHtml } = textOf(mail);
  // Inline images (multipart/related) are kept too: citizens paste photos of the problem into
  // the body of a webmail letter, and those are evidence, not layout.
  const attachments: MailAttachment[] = mail.attachments.map((a, i) => ({
    filename: a.filename?.trim() || `attachment-${i + 1}`,
    contentType: a.contentType.toLowerCase(),
    content: a.content,
  }));
  const subject = mail.subject?.trim() || null;
  if (!subject && text.trim().length === 0 && attachments.length === 0)
    throw new MailParseError('empty-message', 'no subject, text or attachment');

  const from = addresses(mail.from)[0] ?? null;
  const contentType = headers.find((h) => h.key === 'content-type')?.value ?? 'text/plain';
  const messageId = messageIdsIn(mail.messageId)[0] ?? null;
  const threadIds = [
    ...messageIdsIn(mail.inReplyTo),
    ...messageIdsIn(mail.references).reverse(),
  ].filter((id, i, all) => all.indexOf(id) === i && id !== messageId);
  return {
    messageId,
    threadIds,
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : null,
    from,
    replyTo: addresses(mail.replyTo)[0] ?? null,
    to: [...addresses(mail.to), ...addresses(mail.cc)].map((a) => a.address),
    subject,
    fullText: text,
    ...splitMailText(text),
    fromHtml,
    attachments,
    automated: automatedReason(headers, from?.address ?? null, contentType),
    rawSha256,
  };
}
