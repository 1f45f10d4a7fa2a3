import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport, type Transporter } from 'nodemailer';
import { trackingNumberFor, type RawPetition } from '@app/contracts';
import { startStack, TopicReader, type Stack } from '@app/testing';
import { SmtpIntakeListener } from '../../apps/gateway/src/channels/email/smtp-intake.listener';
import { writeEmailConfig } from '../fixtures/email/mail-server';

const MAILBOX = 'xianzhang@zhongxian.gov.test';
const MAX_BYTES = 256 * 1024;

function nested(depth: number): Buffer {
  let head = 'From: a@example.test\r\nSubject: deep\r\nMIME-Version: 1.0\r\n';
  let tail = '';
  for (let i = 0; i < depth; i++) {
    head += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
    tail = `\r\n--b${i}--\r\n` + tail;
  }
  return Buffer.from(head + 'Content-Type: text/plain\r\n\r\n深处\r\n' + tail);
}

const HOSTILE: [string, Buffer][] = [
  ['200 nested multiparts', nested(200)],
  ['random bytes with NULs', Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256))],
  ['headers only', Buffer.from('From: a@example.test\r\n\r\n')],
  [
    'a broken boundary and markup',
    Buffer.from(
      'From: <script>x</script> <a@example.test>\r\nSubject: <img src=x onerror=alert(1)>\r\n' +
        'Content-Type: multipart/mixed; boundary="nope"\r\n\r\n--other\r\n\r\n正文\r\n',
    ),
  ],
  [
    'a huge header line',
    Buffer.from(`From: a@example.test\r\nSubject: ${'长'.repeat(60_000)}\r\n\r\nx`),
  ],
  ['over the size limit', Buffer.from(`From: a@example.test\r\n\r\n${'x'.repeat(MAX_BYTES * 2)}`)],
];

/**
 * Hostile messages through the real SMTP listener: every one is answered 250 (kept or
 * dead-lettered) or with an SMTP error code; the connection is never dropped, and a good message
 * sent after them is published.
 */
describe('hostile input: inbound SMTP listener', () => {
  let stack: Stack;
  let raw: TopicReader;
  let smtp: Transporter;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'hostile-smtp-'));
    process.env.EMAIL_CONFIG = writeEmailConfig(`
ownDomain: gateway.local
limits: { maxMessageBytes: ${MAX_BYTES} }
addresses:
  - { address: ${MAILBOX}, recipient: zhongxian-county-head }
smtpListener: { enabled: true, host: 127.0.0.1, port: 0 }
`);
    stack = await startStack({
      gatewayEnv: { GATEWAY_STATE_DIR: stateDir },
      withNormalizer: false,
    });
    raw = await new TopicReader(stack.brokers, stack.topics.raw).start();
    const port = stack.gateway.get(SmtpIntakeListener).port() ?? 0;
    smtp = createTransport({ host: '127.0.0.1', port, ignoreTLS: true, pool: false });
  }, 120000);

  afterAll(async () => {
    smtp?.close();
    await raw?.stop();
    await stack?.close();
    rmSync(stateDir, { recursive: true, force: true });
    delete process.env.EMAIL_CONFIG;
  });

  it('answers each hostile message with 250 or an SMTP code, then takes a good one', async () => {
    const answers: [string, string][] = [];
    for (const [name, bytes] of HOSTILE) {
      const answer = await smtp
        .sendMail({ envelope: { from: 'a@example.test', to: [MAILBOX] }, raw: bytes })
        .then(
          (info) => String(info.response),
          (e: { responseCode?: number; code?: string; message?: string }) =>
            e.responseCode ? `${e.responseCode} ${e.message}` : `dropped: ${e.code} ${e.message}`,
        );
      answers.push([name, answer.slice(0, 60)]);
    }
    for (const [name, answer] of answers) {
      expect([name, answer]).toEqual([name, expect.stringMatching(/^(250|4\d\d|5\d\d) /)]);
    }
    expect(answers.at(-1)?.[1]).toMatch(/^552 /);

    const info = await smtp.sendMail({
      from: 'citizen@example.test',
      to: MAILBOX,
      subject: '路灯坏了',
      text: '小区门口路灯坏了两个月。',
      messageId: '<hostile-smtp.good@example.test>',
    });
    const key = 'email:hostile-smtp.good@example.test';
    expect(info.response).toContain(trackingNumberFor(key));
    await raw.waitFor(() => raw.json<RawPetition>().some((r) => r.idempotencyKey === key), 10000);
  });
});
