import { createHash } from 'node:crypto';
import { DEAD_LETTER_CASES, PARSE_CASES, emailFixture } from '../../../test/fixtures/email/cases';
import { MailParseError } from './mail-parse.error';
import { parseMail } from './mail.parser';

describe('parseMail over every fixture', () => {
  it.each(PARSE_CASES.map((c) => [c.file, c] as const))('%s', async (_file, expected) => {
    const raw = emailFixture(expected.file);
    for (const hex of expected.rawContainsHex ?? []) expect(raw.toString('hex')).toContain(hex);
    const mail = await parseMail(raw);
    expect(mail.messageId).toBe(expected.messageId);
    expect(mail.from).toEqual(expected.from);
    expect(mail.subject).toBe(expected.subject);
    expect(mail.body).toBe(expected.body);
    expect(mail.fullText).toBe(expected.fullText);
    expect(mail.signature).toBe(expected.signature ?? '');
    expect(mail.fromHtml).toBe(expected.fromHtml ?? false);
    expect(mail.threadIds).toEqual(expected.threadIds ?? []);
    expect(mail.automated).toBe(expected.automated ?? null);
    expect(mail.rawSha256).toBe(createHash('sha256').update(raw).digest('hex'));
    expect(mail.fullText).not.toContain('\uFFFD');
    expect(
      mail.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        size: a.content.length,
        startsWith: a.content.subarray(0, 4).toString('hex'),
      })),
    ).toEqual(expected.attachments ?? []);
  });

  it.each(DEAD_LETTER_CASES.map((c) => [c.file, c.reason] as const))(
    '%s is refused as %s',
    async (file, reason) => {
      const failure = await parseMail(emailFixture(file)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(MailParseError);
      expect((failure as MailParseError).reason).toBe(reason);
    },
  );

  it('keeps four-byte GB18030 characters that a GBK decoder would turn into U+FFFD', async () => {
    const mail = await parseMail(emailFixture('gb2312-gbk-only.eml'));
    expect([...mail.body].filter((ch) => ch.codePointAt(0)! > 0xffff)).toEqual(['𠮷']);
  });
});
