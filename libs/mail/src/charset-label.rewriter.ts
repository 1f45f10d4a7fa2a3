import iconv from 'iconv-lite';

/**
 * Labels of the GB family. Chinese mailers label mail `gb2312` and then write GBK characters
 * (镕, 喆, 堃 are not in GB 2312) or even GB18030 four-byte sequences (rare characters in names,
 * e.g. 𠮷). libmime maps every GB label to iconv-lite's GBK, which has no four-byte sequences;
 * GB18030 is a superset of GB 2312 and GBK, so decoding the whole family as GB18030 never loses a
 * character that a narrower decoder would have read.
 */
const GB_FAMILY = new Set([
  'gb2312',
  'gb_2312',
  'gb_2312-80',
  'csgb2312',
  'csiso58gb231280',
  'iso-ir-58',
  'chinese',
  'gbk',
  'x-gbk',
  'cp936',
  'ms936',
  'windows-936',
  'euc-cn',
  'x-euc-cn',
  'gb18030',
]);

export function isGbFamily(charset: string): boolean {
  return GB_FAMILY.has(charset.trim().toLowerCase());
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isValidUtf8(bytes: Buffer): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

// RFC 2047 encoded words (`=?gb2312?B?…?=`, with an optional RFC 2231 language `*zh`), RFC 2231
// extended parameters (`filename*=gbk''%D5%C5`) and plain `charset=` parameters.
const ENCODED_WORD = /=\?([A-Za-z0-9_.:-]+)((?:\*[A-Za-z0-9-]*)?\?[BbQq]\?)/g;
const EXTENDED_PARAM = /(\*(?:\d+\*)?\s*=\s*"?)([A-Za-z0-9_.:-]+)(')/g;
const CHARSET_PARAM = /(charset\s*=\s*"?)([A-Za-z0-9_.:-]+)/gi;

function relabel(headerText: string): string {
  const gb = (label: string): string => (isGbFamily(label) ? 'gb18030' : label);
  return headerText
    .replace(ENCODED_WORD, (_m, cs: string, rest: string) => `=?${gb(cs)}${rest}`)
    .replace(EXTENDED_PARAM, (_m, pre: string, cs: string, post: string) => pre + gb(cs) + post)
    .replace(CHARSET_PARAM, (_m, pre: string, cs: string) => pre + gb(cs));
}

/** Content-Type of a header block (unfolded), lower-cased, or '' when there is none. */
function contentTypeOf(block: string): string {
  const m = /^content-type[ \t]*:((?:[^\n]*\n[ \t])*[^\n]*)/im.exec(block);
  return (m?.[1] ?? '').replace(/\r?\n[ \t]/g, ' ').trim();
}

function paramOf(contentType: string, name: string): string | null {
  const m = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(
    contentType,
  );
  return m ? (m[1] ?? m[2] ?? null) : null;
}

/**
 * Header lines sent as raw 8-bit bytes (old Chinese mailers put GBK straight into Subject and
 * From) are not valid UTF-8, and mailparser would replace each byte with U+FFFD. We re-encode
 * such lines as UTF-8 (RFC 6532 allows UTF-8 headers), reading them in the block's charset.
 */
function recodeRawHeaderBytes(block: string, charset: string): string {
  return block.replace(/[^\n]*[\x80-\xff][^\n]*/g, (line) => {
    const bytes = Buffer.from(line, 'latin1');
    if (isValidUtf8(bytes)) return line;
    const text = iconv.decode(bytes, charset);
    return Buffer.from(text, 'utf8').toString('latin1');
  });
}

/**
 * Rewrites the MIME header blocks of a raw message (the top-level header and the header of every
 * part, found by following the declared boundaries, and of embedded message/rfc822 parts) so
 * that mailparser decodes the GB family as GB18030 and raw 8-bit headers as their charset. Bodies
 * are copied byte for byte: only labels and non-UTF-8 header bytes change.
 */
export function relabelGbCharsets(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  const lines = text.split(/(?<=\n)/);
  const out: string[] = [];
  const boundaries = new Set<string>();
  let inHeader = true;
  let block: string[] = [];

  const flushBlock = (): boolean => {
    const joined = block.join('');
    block = [];
    const type = contentTypeOf(joined.replace(/\r\n/g, '\n'));
    const boundary = paramOf(type, 'boundary');
    if (boundary) boundaries.add(boundary);
    const declared = paramOf(type, 'charset') ?? '';
    const headerCharset =
      declared && (isGbFamily(declared) || iconv.encodingExists(declared))
        ? isGbFamily(declared)
          ? 'gb18030'
          : declared
        : 'gb18030';
    out.push(relabel(recodeRawHeaderBytes(joined, headerCharset)));
    // An embedded message starts with a header block of its own.
    return /^message\/rfc822/i.test(type);
  };

  for (const line of lines) {
    if (inHeader) {
      if (line === '\n' || line === '\r\n') {
        const nested = flushBlock();
        out.push(line);
        inHeader = nested;
      } else {
        block.push(line);
      }
      continue;
    }
    out.push(line);
    if (line.startsWith('--') && boundaries.size > 0) {
      const marker = line.trimEnd().slice(2);
      if (boundaries.has(marker)) inHeader = true;
    }
  }
  if (block.length > 0) flushBlock();
  return Buffer.from(out.join(''), 'latin1');
}
