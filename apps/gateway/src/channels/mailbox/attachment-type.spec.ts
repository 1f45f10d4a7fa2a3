import {
  TINY_GIF,
  TINY_JPEG,
  TINY_PDF,
  TINY_PNG,
} from '../../../../../test/fixtures/mailbox/letters';
import { fileMatchesType } from './attachment-type';

/**
 * The work a call costs, in ms: the fastest of `runs` (warm, as in a running gateway, and without
 * the pauses other processes on a shared machine add to any one run).
 */
function fastestOf(runs: number, work: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    work();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

const ZIP = Buffer.from('504b0304140000000800', 'hex');
const HTML = Buffer.from('<html><script>alert(1)</script></html>');
const cat = (...parts: Buffer[]) => Buffer.concat(parts);
/** The PNG with its IEND chunk (the last 12 bytes) cut off. */
const pngWithoutEnd = TINY_PNG.subarray(0, TINY_PNG.length - 12);

describe('fileMatchesType', () => {
  it.each<[string, string, Buffer]>([
    ['a PNG', 'image/png', TINY_PNG],
    ['a JPEG', 'image/jpeg', TINY_JPEG],
    ['a GIF', 'image/gif', TINY_GIF],
    ['a PDF', 'application/pdf', TINY_PDF],
    ['a PDF ending in CRLF', 'application/pdf', cat(TINY_PDF.subarray(0, -1), Buffer.from('\r\n'))],
    [
      'a JPEG with fill bytes before a marker',
      'image/jpeg',
      cat(TINY_JPEG.subarray(0, -2), Buffer.from([0xff, 0xff, 0xd9])),
    ],
  ])('takes %s', (_name, type, data) => {
    expect(fileMatchesType(type, data)).toBe(true);
  });

  // Issue 24: the type check read 3-4 bytes, so a file that was also something else passed.
  it.each<[string, string, Buffer]>([
    ['a PNG with a ZIP appended', 'image/png', cat(TINY_PNG, ZIP)],
    ['a PNG with HTML appended', 'image/png', cat(TINY_PNG, HTML)],
    ['a JPEG with a ZIP appended', 'image/jpeg', cat(TINY_JPEG, ZIP)],
    ['a GIF with a script appended (GIFAR-like)', 'image/gif', cat(TINY_GIF, HTML)],
    ['a PDF with HTML after %%EOF', 'application/pdf', cat(TINY_PDF, HTML)],
    ['a PDF with junk before its header', 'application/pdf', cat(HTML, TINY_PDF)],
    [
      'four PNG bytes and an executable',
      'image/png',
      cat(TINY_PNG.subarray(0, 4), Buffer.from('MZ\x90\x00')),
    ],
    ['the PNG signature alone', 'image/png', TINY_PNG.subarray(0, 8)],
    ['a PNG cut before IEND', 'image/png', pngWithoutEnd],
    [
      'a PNG whose first chunk is not IHDR',
      'image/png',
      cat(TINY_PNG.subarray(0, 12), Buffer.from('IDAT'), TINY_PNG.subarray(16)),
    ],
    [
      'a PNG chunk longer than the file',
      'image/png',
      cat(TINY_PNG.subarray(0, 8), Buffer.from([0x7f, 0, 0, 0]), TINY_PNG.subarray(12)),
    ],
    ['a JPEG cut before EOI', 'image/jpeg', TINY_JPEG.subarray(0, -2)],
    [
      'a JPEG with SOI and EOI only around junk',
      'image/jpeg',
      cat(Buffer.from([0xff, 0xd8, 0xff, 0xe0]), HTML, Buffer.from([0xff, 0xd9])),
    ],
    ['a GIF cut before its trailer', 'image/gif', TINY_GIF.subarray(0, -1)],
    ['a PDF without %%EOF', 'application/pdf', TINY_PDF.subarray(0, -7)],
    ['a JPEG declared as PNG', 'image/png', TINY_JPEG],
    ['a PNG declared as PDF', 'application/pdf', TINY_PNG],
    ['nothing', 'image/png', Buffer.alloc(0)],
    ['a type without a known signature', 'text/plain', Buffer.from('hello')],
  ])('refuses %s', (_name, type, data) => {
    expect(fileMatchesType(type, data)).toBe(false);
  });

  it('walks a file at the body limit (1 MiB) well inside the event-loop bound', () => {
    // A JPEG whose one scan is 1 MiB of entropy data with a stuffed 0xFF every 256 bytes.
    const scanEnd = TINY_JPEG.lastIndexOf(Buffer.from([0xff, 0xd9]));
    const entropy = Buffer.alloc(1024 * 1024, 0x55);
    for (let i = 0; i < entropy.length; i += 256) entropy[i] = 0xff;
    for (let i = 1; i < entropy.length; i += 256) entropy[i] = 0x00;
    const big = cat(TINY_JPEG.subarray(0, scanEnd), entropy, Buffer.from([0xff, 0xd9]));
    expect(fileMatchesType('image/jpeg', big)).toBe(true);
    expect(fastestOf(5, () => fileMatchesType('image/jpeg', big))).toBeLessThan(50);
    expect(fileMatchesType('image/jpeg', cat(big, ZIP))).toBe(false);
  });
});
