import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { emailFixture } from '../../../test/fixtures/email/cases';
import { MailParseError } from './mail-parse.error';
import { parseMail } from './mail.parser';

const SEED = Number(process.env.HOSTILE_SEED ?? 20240506);
/** A parse that takes longer than this is treated as a hang. */
const TIME_BOUND_MS = 5000;

const FIXTURES = readdirSync(join(__dirname, '../../../test/fixtures/email'))
  .filter((f) => f.endsWith('.eml'))
  .map((f) => emailFixture(f));

/**
 * parseMail either returns a result or throws its own MailParseError (not-a-message,
 * empty-message, unparseable) within a time bound: never another error, never a hang.
 */
async function outcome(raw: Buffer): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${TIME_BOUND_MS} ms`)),
      TIME_BOUND_MS,
    );
  });
  try {
    const mail = await Promise.race([parseMail(raw), hang]);
    expect(typeof mail.body).toBe('string');
    expect(mail.rawSha256).toMatch(/^[0-9a-f]{64}$/);
    for (const a of mail.attachments) expect(Buffer.isBuffer(a.content)).toBe(true);
    return 'parsed';
  } catch (error) {
    if (error instanceof MailParseError) {
      expect(['unparseable', 'not-a-message', 'empty-message']).toContain(error.reason);
      return error.reason;
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Byte-level mutations of a real message: flips, cuts, splices, repeats. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('splice' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ maxLength: 64 }),
  }),
  fc.record({
    kind: fc.constant('repeat' as const),
    at: fc.nat(),
    len: fc.nat({ max: 200 }),
    times: fc.nat({ max: 50 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.constantFrom(
      '\r\n--',
      '\r\n\r\n',
      'Content-Type: multipart/mixed; boundary=""\r\n',
      'Content-Transfer-Encoding: base64\r\n',
      '=?utf-8?B?5L2g5aW9?=',
      '=?gb2312?Q?=C4=E3=BA=C3?=',
      '=?x-unknown?B?!!!?=',
      'charset=gbk',
      'charset="\u0000"',
      '\u0000',
      '<script>alert(1)</script>',
    ),
  }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(raw: Buffer, m: Mutation): Buffer {
  const at = raw.length === 0 ? 0 : m.at % raw.length;
  switch (m.kind) {
    case 'flip': {
      const copy = Buffer.from(raw);
      if (copy.length > 0) copy[at] = m.byte;
      return copy;
    }
    case 'cut':
      return raw.subarray(0, at);
    case 'splice':
      return Buffer.concat([raw.subarray(0, at), Buffer.from(m.bytes), raw.subarray(at)]);
    case 'repeat': {
      const piece = raw.subarray(at, at + m.len);
      return Buffer.concat([
        raw.subarray(0, at),
        ...Array<Buffer>(m.times).fill(piece),
        raw.subarray(at),
      ]);
    }
    case 'insert':
      return Buffer.concat([raw.subarray(0, at), Buffer.from(m.text, 'latin1'), raw.subarray(at)]);
  }
}

/** A multipart nested `depth` levels deep, each level with its own boundary. */
function nested(depth: number, closeEvery = true): Buffer {
  let out = 'From: a@example.test\r\nSubject: deep\r\nMIME-Version: 1.0\r\n';
  let tail = '';
  for (let i = 0; i < depth; i++) {
    out += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
    tail = (closeEvery ? `\r\n--b${i}--\r\n` : '') + tail;
  }
  out += 'Content-Type: text/plain; charset=utf-8\r\n\r\n深处的正文\r\n';
  return Buffer.from(out + tail);
}

describe('parseMail under hostile input', () => {
  it('mutated real messages: a result or its own error, in time', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: FIXTURES.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        async (i, mutations) => {
          await outcome(mutations.reduce(mutate, FIXTURES[i]!));
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('random bytes and random text: a result or its own error, in time', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
          fc.string({ unit: 'binary', maxLength: 500 }).map((s) => Buffer.from(s)),
          fc
            .array(
              fc.tuple(
                fc.constantFrom('From', 'To', 'Subject', 'Content-Type', 'X-A'),
                fc.string(),
              ),
              {
                maxLength: 10,
              },
            )
            .map((hs) =>
              Buffer.from(hs.map(([k, v]) => `${k}: ${v}`).join('\r\n') + '\r\n\r\nbody'),
            ),
        ),
        async (raw) => {
          await outcome(raw);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it.each<[string, () => Buffer]>([
    ['200 nested multiparts', () => nested(200)],
    ['1,000 nested multiparts never closed', () => nested(1000, false)],
    [
      'a 1 MB header line',
      () => Buffer.from(`From: a@example.test\r\nSubject: ${'长'.repeat(350_000)}\r\n\r\nbody`),
    ],
    [
      '20,000 headers',
      () => Buffer.from(`From: a@example.test\r\n${'X-H: v\r\n'.repeat(20_000)}\r\nbody`),
    ],
    [
      'a boundary that never appears',
      () =>
        Buffer.from(
          'From: a@example.test\r\nContent-Type: multipart/mixed; boundary="nope"\r\n\r\n--other\r\n\r\nx\r\n',
        ),
    ],
    [
      'an empty boundary',
      () =>
        Buffer.from(
          'From: a@example.test\r\nContent-Type: multipart/mixed; boundary=""\r\n\r\n--\r\n\r\nx\r\n----\r\n',
        ),
    ],
    [
      '5,000 empty parts',
      () =>
        Buffer.from(
          'From: a@example.test\r\nContent-Type: multipart/mixed; boundary="p"\r\n\r\n' +
            '--p\r\n\r\n'.repeat(5000) +
            '--p--\r\n',
        ),
    ],
    [
      'a 10 MB base64 attachment with garbage',
      () =>
        Buffer.from(
          'From: a@example.test\r\nSubject: 附件\r\nContent-Type: multipart/mixed; boundary="p"\r\n\r\n' +
            '--p\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
            '!@#$QUJD\r\n'.repeat(1_000_000) +
            '--p--\r\n',
        ),
    ],
    [
      'an unknown charset and a broken encoded word',
      () =>
        Buffer.from(
          'From: =?x-none?Q?=ZZ?= <a@example.test>\r\nSubject: =?utf-8?B?####?=\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\n\xff\xfe\r\n',
          'latin1',
        ),
    ],
    ['NUL bytes only', () => Buffer.alloc(10_000)],
    ['nothing', () => Buffer.alloc(0)],
  ])('%s: a result or its own error, in time', async (_name, build) => {
    const started = Date.now();
    await outcome(build());
    expect(Date.now() - started).toBeLessThan(TIME_BOUND_MS);
  });
});
