/**
 * The petition in a mail is what the citizen wrote this time: the quoted earlier mail (our
 * receipt, their previous letter) and their signature would otherwise be read as part of the
 * petition, classified and deduplicated again. The full text stays available to the caller.
 */

// Attribution lines that introduce a quoted mail. Each is tested against one line, or against
// two lines joined, because clients wrap long attributions ("On Mon, …, Name <\naddr> wrote:").
const ATTRIBUTIONS: RegExp[] = [
  // Foxmail, QQ Mail, NetEase: "在 2024年5月6日 10:00，张三 <a@b.cn> 写道："
  /^\s*在.{0,200}写道\s*[:：]\s*$/,
  // Gmail in Chinese: "张三 <a@b.cn> 于2024年5月6日周一 10:00写道："
  /^.{0,200}于.{0,120}写道\s*[:：]\s*$/,
  // English clients: "On Mon, 6 May 2024 at 10:00, Zhang San <a@b.cn> wrote:"
  /^\s*On\s.{0,300}\swrote\s*:\s*$/,
];

// Separator lines of forwarding and Outlook-style replies.
const SEPARATORS: RegExp[] = [
  /^\s*-{2,}\s*(?:原始邮件|原邮件|转发邮件|Original Message|Forwarded message)\s*-{2,}\s*$/i,
  /^\s*_{10,}\s*$/,
];

// An Outlook/Foxmail header block of the quoted mail: "发件人: …" then a date, recipient or
// subject line within the next few lines.
const QUOTED_FROM = /^\s*(?:发件人|From)\s*[:：]/i;
const QUOTED_HEADER =
  /^\s*(?:发送时间|时间|日期|收件人|抄送|主题|Sent|Date|To|Cc|Subject)\s*[:：]/i;

// Signature delimiter "-- " (RFC 3676; many clients drop the trailing space).
const SIGNATURE = /^--\s?$/;

// Mobile clients' one-line signatures at the very end.
const DEVICE_SIGNATURE = /^\s*(?:发自我的|来自我的|Sent from my\s)/i;

function cutIndex(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const joined = i + 1 < lines.length ? `${line} ${lines[i + 1] ?? ''}` : line;
    if (SIGNATURE.test(line)) return i;
    if (SEPARATORS.some((re) => re.test(line))) return i;
    if (ATTRIBUTIONS.some((re) => re.test(line))) return i;
    if (/^\s*(?:在|On\s)/.test(line) && ATTRIBUTIONS.some((re) => re.test(joined))) return i;
    if (QUOTED_FROM.test(line)) {
      const next = lines.slice(i + 1, i + 5);
      if (next.some((l) => QUOTED_HEADER.test(l))) return i;
    }
  }
  return lines.length;
}

/** A mail's text split where the citizen's own words end. */
export interface MailParts {
  /**
   * The body without quoted replies, the quoted mail's header block and the signature. When
   * nothing would be left (a mail that is all quote), the full text instead, so a petition is
   * never emptied by stripping.
   */
  body: string;
  /**
   * The sender's own signature: the lines after the "-- " delimiter, up to a quoted mail, when the
   * delimiter comes before any quote (a signature inside a quoted mail is somebody else's). ''
   * when there is none. The intake reads the sender's phone from it.
   */
  signature: string;
}

/** A signature longer than this is a letter written below the delimiter, not a contact card. */
const MAX_SIGNATURE_LINES = 8;

/** Body and signature from one split of the text and one search for where the quote begins. */
export function splitMailText(text: string): MailParts {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const at = cutIndex(lines);
  return { body: bodyBefore(lines, at), signature: signatureAt(lines, at) };
}

function bodyBefore(lines: string[], at: number): string {
  const kept = lines.slice(0, at).filter((l) => !/^\s*>/.test(l));
  while (kept.length > 0 && /^\s*$/.test(kept[kept.length - 1] ?? '')) kept.pop();
  if (kept.length > 0 && DEVICE_SIGNATURE.test(kept[kept.length - 1] ?? '')) kept.pop();
  while (kept.length > 0 && /^\s*$/.test(kept[kept.length - 1] ?? '')) kept.pop();
  while (kept.length > 0 && /^\s*$/.test(kept[0] ?? '')) kept.shift();
  const body = kept.map((l) => l.trimEnd()).join('\n');
  return body.trim().length > 0 ? body : lines.join('\n').trim();
}

function signatureAt(lines: string[], at: number): string {
  if (at >= lines.length || !SIGNATURE.test(lines[at] ?? '')) return '';
  const rest = lines.slice(at + 1);
  const block = rest.slice(0, cutIndex(rest)).filter((l) => !/^\s*>/.test(l));
  const card = block.map((l) => l.trim()).filter((l) => l !== '');
  return card.length <= MAX_SIGNATURE_LINES ? card.join('\n') : '';
}
