import { filetypemime } from 'magic-bytes.js';

/**
 * Whether an attachment's bytes are wholly the type it declares. Two checks, both required:
 *
 * 1. The signature, by magic-bytes.js (a maintained signature table; file-type, the better-known
 *    library, is ESM-only): the declared type must be among the types the first bytes match.
 * 2. The structure of the types a mailbox takes, walked to the end: PNG from its signature
 *    through IHDR … IEND with nothing after; JPEG from SOI through its segments and entropy data
 *    to EOI at the very end; GIF from its header through its blocks to the trailer byte at the
 *    end; PDF with `%PDF-x.y` at byte 0 and `startxref` … `%%EOF` at the end.
 *
 * So a file that is also something else by its tail (a ZIP, HTML or script appended: the usual
 * polyglot) or by its head (junk before the PDF header) is refused. Not covered: content hidden
 * inside the declared format's own containers (PNG ancillary chunks, JPEG APP/COM segments, PDF
 * objects such as JavaScript or embedded files), and whether the image decodes. A declared type
 * without a structural walk here is refused unless its signature matches (and refused outright
 * when the library knows no signature for it).
 */
export function fileMatchesType(contentType: string, data: Buffer): boolean {
  if (!filetypemime(data.subarray(0, 64)).includes(contentType)) return false;
  const walk = STRUCTURE[contentType];
  return walk ? walk(data) : true;
}

const STRUCTURE: Record<string, (data: Buffer) => boolean> = {
  'image/png': isWholePng,
  'image/jpeg': isWholeJpeg,
  'image/gif': isWholeGif,
  'application/pdf': isWholePdf,
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Signature, IHDR first, chunks of letters with lengths inside the file, IEND ending it. */
export function isWholePng(data: Buffer): boolean {
  if (data.length < PNG_SIGNATURE.length || !data.subarray(0, 8).equals(PNG_SIGNATURE)) {
    return false;
  }
  let pos = 8;
  let first = true;
  let sawData = false;
  while (pos + 12 <= data.length) {
    const length = data.readUInt32BE(pos);
    const type = data.toString('latin1', pos + 4, pos + 8);
    if (length > 0x7fffffff || !/^[A-Za-z]{4}$/.test(type)) return false;
    const end = pos + 12 + length;
    if (end > data.length) return false;
    if (first && (type !== 'IHDR' || length !== 13)) return false;
    first = false;
    if (type === 'IDAT') sawData = true;
    if (type === 'IEND') return length === 0 && sawData && end === data.length;
    pos = end;
  }
  return false;
}

/**
 * SOI, then segments (each a marker and a length) until SOS, its entropy-coded data (where 0xFF
 * is always followed by 0x00 or a restart marker), more segments or scans, and EOI as the last
 * two bytes.
 */
export function isWholeJpeg(data: Buffer): boolean {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) return false;
  let pos = 2;
  while (pos < data.length) {
    if (data[pos] !== 0xff) return false;
    // Any number of fill bytes may precede a marker.
    while (data[pos] === 0xff) pos++;
    if (pos >= data.length) return false;
    const marker = data[pos]!;
    pos++;
    if (marker === 0xd9) return pos === data.length;
    if (marker === 0x00 || marker === 0xd8) return false;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (pos + 2 > data.length) return false;
    const length = data.readUInt16BE(pos);
    if (length < 2 || pos + length > data.length) return false;
    pos += length;
    if (marker === 0xda) {
      const next = endOfEntropyData(data, pos);
      if (next < 0) return false;
      pos = next;
    }
  }
  return false;
}

/** Where the marker after a scan's entropy-coded data starts, or -1 if none does. */
function endOfEntropyData(data: Buffer, from: number): number {
  let pos = from;
  for (;;) {
    const ff = data.indexOf(0xff, pos);
    if (ff < 0 || ff + 1 >= data.length) return -1;
    const next = data[ff + 1]!;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) pos = ff + 2;
    else if (next === 0xff) pos = ff + 1;
    else return ff;
  }
}

/** Header, logical screen (and its colour table), extension and image blocks, trailer at the end. */
export function isWholeGif(data: Buffer): boolean {
  const header = data.toString('latin1', 0, 6);
  if ((header !== 'GIF87a' && header !== 'GIF89a') || data.length < 14) return false;
  const screenFlags = data[10]!;
  let pos = 13 + colourTableBytes(screenFlags);
  while (pos < data.length) {
    const block = data[pos]!;
    if (block === 0x3b) return pos + 1 === data.length;
    if (block === 0x21) {
      pos = skipSubBlocks(data, pos + 2);
    } else if (block === 0x2c) {
      if (pos + 10 > data.length) return false;
      const imageFlags = data[pos + 9]!;
      // Descriptor (10 bytes), local colour table, LZW minimum code size (1 byte), data.
      pos = skipSubBlocks(data, pos + 10 + colourTableBytes(imageFlags) + 1);
    } else return false;
    if (pos < 0) return false;
  }
  return false;
}

function colourTableBytes(flags: number): number {
  return flags & 0x80 ? 3 * 2 ** ((flags & 0x07) + 1) : 0;
}

/** Past a chain of sub-blocks (a size byte, that many bytes, … a zero size), or -1. */
function skipSubBlocks(data: Buffer, from: number): number {
  let pos = from;
  while (pos < data.length) {
    const size = data[pos]!;
    pos += 1 + size;
    if (size === 0) return pos <= data.length ? pos : -1;
  }
  return -1;
}

const PDF_HEADER = /^%PDF-[12]\.\d/;
/** `startxref`, the offset, `%%EOF`, then at most line ends and blanks. */
const PDF_TAIL = /startxref\s+\d+\s+%%EOF[\r\n\t \0]*$/;

/** `%PDF-x.y` at byte 0 and the cross-reference pointer and `%%EOF` as the file's last words. */
export function isWholePdf(data: Buffer): boolean {
  if (!PDF_HEADER.test(data.toString('latin1', 0, 8))) return false;
  return PDF_TAIL.test(data.toString('latin1', Math.max(0, data.length - 1024)));
}
