import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport, type Transporter } from 'nodemailer';
import { trackingNumberFor, type DeadLetter, type RawPetition } from '@app/contracts';
import { startStack, TopicReader, type Stack } from '@app/testing';
import { SmtpIntakeListener } from '../../apps/gateway/src/channels/email/smtp-intake.listener';
import { emailFixture } from '../fixtures/email/cases';
import { writeEmailConfig } from '../fixtures/email/mail-server';

const MAILBOX = 'xianzhang@zhongxian.gov.test';
const MAX_BYTES = 64 * 1024;

/**
 * The inbound SMTP listener against the real broker: nodemailer delivers to the gateway's own
 * listener; 250 carries the tracking number of a record already on petition.raw.v1.
 */
describe('email SMTP listener', () => {
  let stack: Stack;
  let raw: TopicReader;
  let smtp: Transporter;
  let stateDir: string;

  const rawFor = (idempotencyKey: string) =>
    raw.json<RawPetition>().filter((r) => r.idempotencyKey === idempotencyKey);

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'email-smtp-state-'));
    process.env.EMAIL_CONFIG = writeEmailConfig(`
ownDomain: gateway.local
limits: { maxMessageBytes: ${MAX_BYTES} }
addresses:
  - { address: ${MAILBOX}, recipient: zhongxian-county-head }
  - { address: shuji@zhongxian.gov.test, recipient: zhongxian-party-secretary }
smtpListener: { enabled: true, host: 127.0.0.1, port: 0 }
`);
    stack = await startStack({
      gatewayEnv: { GATEWAY_STATE_DIR: stateDir },
      withNormalizer: false,
    });
    raw = await new TopicReader(stack.brokers, stack.topics.raw).start();
    const port = stack.gateway.get(SmtpIntakeListener).port();
    expect(port).toBeGreaterThan(0);
    smtp = createTransport({ host: '127.0.0.1', port: port ?? 0, ignoreTLS: true });
  }, 120000);

  afterAll(async () => {
    smtp?.close();
    await raw?.stop();
    await stack?.close();
    rmSync(stateDir, { recursive: true, force: true });
    delete process.env.EMAIL_CONFIG;
  });

  it('answers 250 with the tracking number once the petition is durable', async () => {
    const info = await smtp.sendMail({
      from: 'citizen@example.test',
      to: MAILBOX,
      subject: '夜间施工噪音',
      text: '工地每天夜里两点还在施工，严重影响休息。',
      messageId: '<smtp-listener.0001@example.test>',
    });
    const key = 'email:smtp-listener.0001@example.test';
    const petitionId = trackingNumberFor(key);
    expect(info.response).toMatch(/^250 /);
    expect(info.response).toContain(petitionId);
    await raw.waitFor(() => rawFor(key).length === 1, 5000);
    expect(rawFor(key)[0]).toMatchObject({
      petitionId,
      channel: 'email',
      provider: 'smtp',
      subject: '夜间施工噪音',
      text: '工地每天夜里两点还在施工，严重影响休息。',
      recipient: { id: 'zhongxian-county-head' },
      petitioner: { email: 'citizen@example.test' },
      meta: { source: 'smtp', recipients: 'zhongxian-county-head' },
    });
  });

  it('refuses unknown recipients with 550 and publishes nothing for them', async () => {
    const refused = await smtp
      .sendMail({
        from: 'citizen@example.test',
        to: 'nobody@zhongxian.gov.test',
        subject: 'x',
        text: '无人收件',
        messageId: '<smtp-listener.0002@example.test>',
      })
      .then(
        () => null,
        (e: { responseCode?: number }) => e,
      );
    expect(refused?.responseCode).toBe(550);
    await raw.settle(1000);
    expect(rawFor('email:smtp-listener.0002@example.test')).toHaveLength(0);
  });

  it('decodes raw GBK bytes in headers and body exactly as delivered', async () => {
    const info = await smtp.sendMail({
      envelope: { from: 'wudajie@example.test', to: [MAILBOX] },
      raw: emailFixture('raw-8bit-headers.eml'),
    });
    expect(info.response).toMatch(/^250 /);
    const key = 'email:raw-8bit-headers.0011@mail.example.test';
    await raw.waitFor(() => rawFor(key).length === 1, 5000);
    expect(rawFor(key)[0]).toMatchObject({
      subject: '垃圾站三天没清运',
      body: '菜市场旁边的垃圾站三天没人清运了，气味很大。',
      petitioner: { name: '吴大姐', email: 'wudajie@example.test' },
    });
  });

  it('publishes a message delivered to two of our addresses, or delivered again, once', async () => {
    const message = {
      from: 'citizen@example.test',
      subject: '同一封信',
      text: '这封信同时抄送了县长和书记。',
      messageId: '<smtp-listener.0003@example.test>',
    };
    const first = await smtp.sendMail({ ...message, to: MAILBOX, cc: 'shuji@zhongxian.gov.test' });
    const again = await smtp.sendMail({ ...message, to: 'shuji@zhongxian.gov.test' });
    const key = 'email:smtp-listener.0003@example.test';
    expect(first.response).toContain(trackingNumberFor(key));
    expect(again.response).toContain(trackingNumberFor(key));
    await raw.waitFor(() => rawFor(key).length >= 1, 5000);
    await raw.settle(1000);
    expect(rawFor(key)).toHaveLength(1);
    expect(rawFor(key)[0]?.meta.recipients).toBe('zhongxian-county-head,zhongxian-party-secretary');
  });

  it('keeps bytes that are no mail: 250, raw kept and dead-lettered with the reason', async () => {
    const bytes = emailFixture('not-a-message.eml');
    const info = await smtp.sendMail({
      envelope: { from: 'someone@example.test', to: [MAILBOX] },
      raw: bytes,
    });
    expect(info.response).toMatch(/^250 .*kept/);
    await stack.deadLetters.waitFor(
      () =>
        stack.deadLetters
          .json<DeadLetter>()
          .some((d) => d.reason === 'email-not-a-message' && d.source === 'email:smtp'),
      5000,
    );
    const letter = stack.deadLetters.json<DeadLetter>().find((d) => d.source === 'email:smtp');
    // SMTP dot-stuffing and line-end normalisation may touch bytes; the content is what we got.
    expect(Buffer.from(letter?.payloadBase64 ?? '', 'base64').toString('latin1')).toContain(
      'this is a zip fragment, not a mail',
    );
    expect(letter?.detail).toMatch(/raw message kept as blob:sha256\/[0-9a-f]{64}/);
  });

  it('refuses oversized messages with 552', async () => {
    const refused = await smtp
      .sendMail({
        from: 'citizen@example.test',
        to: MAILBOX,
        subject: '超大附件',
        text: '附件太大。',
        attachments: [{ filename: 'big.bin', content: Buffer.alloc(MAX_BYTES * 2, 7) }],
      })
      .then(
        () => null,
        (e: { responseCode?: number }) => e,
      );
    expect(refused?.responseCode).toBe(552);
  });
});
