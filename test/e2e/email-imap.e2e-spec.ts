import { normalizeBody } from '@app/text';
import type { INestApplication } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import {
  petitionEventProblems,
  trackingNumberFor,
  type DeadLetter,
  type PetitionEvent,
  type RawPetition,
} from '@app/contracts';
import {
  postTwilio,
  startStack,
  TEST_TWILIO_TOKEN,
  TopicReader,
  twilioInbound,
  type Stack,
} from '@app/testing';
import { loadGatewayEnv } from '../../apps/gateway/src/config/gateway.env';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app';
import { EmailStats } from '../../apps/gateway/src/channels/email/email.tokens';
import { EmailStateStore } from '../../apps/gateway/src/channels/email/email-state.store';
import { LmdbGatewayState } from '../../apps/gateway/src/state/lmdb-gateway-state';
import { ImapPoller } from '../../apps/gateway/src/channels/email/imap.poller';
import { ReceiptSender } from '../../apps/gateway/src/channels/email/receipt.sender';
import {
  DEAD_LETTER_CASES,
  ORIGIN_PETITION_ID,
  PARSE_CASES,
  emailFixture,
} from '../fixtures/email/cases';
import {
  MAIL_USERS,
  inbox,
  startMailServer,
  withImap,
  writeEmailConfig,
  type MailServer,
} from '../fixtures/email/mail-server';

const ACCOUNT = 'zhongxian-county-head';
// GreenMail (JavaMail) replaces raw 8-bit header bytes with U+FFFD on APPEND, before we ever see
// them; that fixture is delivered straight to our SMTP listener instead (email-smtp.int-spec.ts).
const IMAP_CASES = PARSE_CASES.filter((c) => c.file !== 'raw-8bit-headers.eml');
const SMTP_PORT = Number(process.env.TEST_MAIL_PORT ?? 13725);

/**
 * Mail into a real mailbox (GreenMail), polled by the real gateway over IMAP, to canonical events
 * and dead letters on the real broker; receipts read back from the sender's real mailbox; and a
 * gateway restart that imports nothing twice.
 */
describe('email over IMAP, end to end', () => {
  let mail: MailServer;
  let stack: Stack;
  let raw: TopicReader;
  let stateDir: string;
  let gatewayEnv: Record<string, string>;
  let restarted: INestApplication | null = null;

  const key = (messageId: string) => `email:${messageId}`;
  const eventsFor = (petitionId: string) =>
    stack.events.json<PetitionEvent>().filter((e) => e.petitionId === petitionId);
  const rawKeys = () => raw.json<RawPetition>().map((r) => r.idempotencyKey);

  async function appendFixtures(files: string[]): Promise<void> {
    await withImap(mail, MAIL_USERS.mailbox, async (client) => {
      for (const file of files) await client.append('INBOX', emailFixture(file));
    });
  }

  beforeAll(async () => {
    mail = startMailServer(SMTP_PORT);
    stateDir = mkdtempSync(join(tmpdir(), 'email-gateway-state-'));
    process.env.EMAIL_CONFIG = writeEmailConfig(`
ownDomain: gateway.local
addresses:
  - { address: ${MAIL_USERS.mailbox.address}, recipient: ${ACCOUNT} }
imap:
  enabled: true
  pollIntervalSeconds: 3600
  accounts:
    - id: ${ACCOUNT}
      host: 127.0.0.1
      port: ${mail.imapPort}
      secure: false
      user: ${MAIL_USERS.mailbox.address}
      passwordEnv: EMAIL_TEST_IMAP_PASSWORD
      recipient: ${ACCOUNT}
receipts:
  enabled: true
  fromAddress: ${MAIL_USERS.receipts.address}
  maxPerSenderPerHour: 2
  smtp: { host: 127.0.0.1, port: ${mail.smtpPort}, ignoreTls: true }
`);
    process.env.EMAIL_TEST_IMAP_PASSWORD = MAIL_USERS.mailbox.password;
    gatewayEnv = { GATEWAY_STATE_DIR: stateDir };
    stack = await startStack({ gatewayEnv });
    raw = await new TopicReader(stack.brokers, stack.topics.raw).start();
  }, 120000);

  afterAll(async () => {
    await raw?.stop();
    await restarted?.close();
    await stack?.close().catch(() => undefined);
    mail?.stop();
    rmSync(stateDir, { recursive: true, force: true });
    delete process.env.EMAIL_CONFIG;
  });

  it('imports every fixture with byte-exact Chinese, flags it, and dead-letters what is no mail', async () => {
    await appendFixtures([...IMAP_CASES, ...DEAD_LETTER_CASES].map((c) => c.file));
    const poller = stack.gateway.get(ImapPoller);
    await poller.pollNow(ACCOUNT);
    const result = await poller.pollNow(ACCOUNT);
    expect(result.interrupted).toBe(false);

    for (const c of IMAP_CASES) {
      const idKey = c.messageId
        ? key(c.messageId)
        : `email:sha256:${createHash('sha256').update(emailFixture(c.file)).digest('hex')}`;
      const petitionId = trackingNumberFor(idKey);
      await stack.events.waitFor(() => eventsFor(petitionId).length >= 1);
      const event = eventsFor(petitionId)[0] as PetitionEvent;
      expect(petitionEventProblems(event)).toEqual([]);
      expect(event).toMatchObject({
        channel: 'email',
        provider: 'imap',
        idempotencyKey: idKey,
        subject: c.subject,
        original: c.fullText,
        recipient: { id: ACCOUNT, name: '忠县县长' },
        petitioner: { email: c.from?.address ?? null },
      });
      // The petition proper: quotes and signature stripped, then normalised like every body.
      expect(event.body).toBe(normalizeBody(c.body));
      expect(event.attachments.map((a) => [a.filename, a.contentType, a.size])).toEqual(
        (c.attachments ?? []).map((a) => [a.filename, a.contentType, a.size]),
      );
      // The full decoded original is kept in the blob store whenever quotes were stripped.
      if (c.body !== c.fullText) {
        const ref = String(event.meta.originalRef);
        const sha = ref.replace('blob:sha256/', '');
        expect(readFileSync(join(stateDir, 'blobs', 'sha256', sha.slice(0, 2), sha), 'utf8')).toBe(
          c.fullText,
        );
      } else expect(event.meta.originalRef).toBeNull();
    }

    // A reply to our receipt names the earlier petition.
    const reply = eventsFor(
      trackingNumberFor(key('utf8-alternative-reply.0005@mail.example.test')),
    );
    expect(reply[0]?.meta.inReplyToPetitionId).toBe(ORIGIN_PETITION_ID);

    // Attachment bytes are in the blob store under their hash.
    const nested = eventsFor(
      trackingNumberFor(key('nested-attachments.0007@mail.example.test')),
    )[0];
    for (const a of nested?.attachments ?? []) {
      const bytes = readFileSync(join(stateDir, 'blobs', 'sha256', a.sha256.slice(0, 2), a.sha256));
      expect(bytes.length).toBe(a.size);
      expect(a.ref).toBe(`blob:sha256/${a.sha256}`);
    }

    // Bytes that are no petition: raw kept, dead-lettered with the reason, never dropped.
    await stack.deadLetters.waitFor(
      (records) => records.filter((r) => r.value.includes('"email-')).length >= 2,
    );
    const letters = stack.deadLetters
      .json<DeadLetter>()
      .filter((d) => d.reason.startsWith('email-'));
    // The server stores APPENDed bytes its own way (line ends, NULs), so letters are matched by
    // reason; the payload is what the server handed us, and the same bytes are in the blob store.
    for (const c of DEAD_LETTER_CASES) {
      const letter = letters.find((d) => d.reason === `email-${c.reason}`);
      expect(letter?.source).toBe(`email:imap:${ACCOUNT}`);
      const payload = Buffer.from(letter?.payloadBase64 ?? '', 'base64');
      expect(payload.length).toBeGreaterThan(0);
      const sha = /blob:sha256\/([0-9a-f]{64})/.exec(letter?.detail ?? '')?.[1] ?? '';
      expect(readFileSync(join(stateDir, 'blobs', 'sha256', sha.slice(0, 2), sha))).toEqual(
        payload,
      );
    }

    // Every message on the server is flagged as handled.
    const messages = await inbox(mail, MAIL_USERS.mailbox);
    expect(messages).toHaveLength(IMAP_CASES.length + DEAD_LETTER_CASES.length);
    const dead = messages.filter((m) => m.flags?.has('$XfDeadLettered'));
    expect(dead).toHaveLength(DEAD_LETTER_CASES.length);
    expect(messages.filter((m) => m.flags?.has('$XfImported'))).toHaveLength(IMAP_CASES.length);
  });

  it('sends a threaded Chinese receipt to a citizen, and none to auto-replies and bounces', async () => {
    const sender = createTransport({ host: '127.0.0.1', port: mail.smtpPort, ignoreTLS: true });
    const messageId = '<receipt-test.0100@example.test>';
    await sender.sendMail({
      from: { name: '市民', address: MAIL_USERS.citizen.address },
      to: MAIL_USERS.mailbox.address,
      subject: '小区垃圾分类设施不足',
      text: '我们小区只有一个垃圾投放点，建议增加分类垃圾桶。',
      messageId,
    });
    sender.close();
    await stack.gateway.get(ImapPoller).pollNow(ACCOUNT);
    await stack.gateway.get(ReceiptSender).drain();
    const petitionId = trackingNumberFor(key('receipt-test.0100@example.test'));
    await stack.events.waitFor(() => eventsFor(petitionId).length >= 1);

    const receipts = await inbox(mail, MAIL_USERS.citizen);
    expect(receipts).toHaveLength(1);
    const source = receipts[0]?.source?.toString('utf8') ?? '';
    expect(source).toMatch(/^Auto-Submitted: auto-replied\r?$/im);
    expect(source).toMatch(new RegExp(`^In-Reply-To: ${messageId}\\r?$`, 'im'));
    expect(source).toMatch(/^References: .*<receipt-test\.0100@example\.test>/im);
    expect(source).toMatch(
      new RegExp(`^Message-ID: <receipt\\.${petitionId}\\.[0-9a-f]+@gateway\\.local>`, 'im'),
    );
    const { simpleParser } = await import('mailparser');
    const parsed = await simpleParser(receipts[0]?.source ?? Buffer.alloc(0));
    expect(parsed.subject).toBe(`信访事项受理回执（受理编号：${petitionId}）`);
    expect(parsed.text).toContain(`受理编号：${petitionId}`);
    expect(parsed.text).toContain('发送至「忠县县长」的来信');

    // The auto-reply and the bounce among the fixtures got nothing back.
    expect(await inbox(mail, MAIL_USERS.bureau)).toHaveLength(0);
    expect(await inbox(mail, MAIL_USERS.daemon)).toHaveLength(0);
    const stats = stack.gateway.get(EmailStats);
    expect(stats.receiptsSkipped.automated).toBeGreaterThanOrEqual(2);
    expect(stats.receiptsFailed).toBe(0);
  });

  it('rate-limits receipts per sender', async () => {
    // sunli@ got one receipt for english-wrote-signature.eml; the limit is 2 per hour.
    await withImap(mail, MAIL_USERS.mailbox, async (client) => {
      for (const n of [1, 2]) {
        await client.append(
          'INBOX',
          Buffer.from(
            `From: Sun Li <${MAIL_USERS.sunli.address}>\r\nTo: ${MAIL_USERS.mailbox.address}\r\nSubject: =?UTF-8?B?${Buffer.from(`第${n}次催办`).toString('base64')}?=\r\nMessage-ID: <rate-${n}@example.test>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n${'还没有消息。'}\r\n`,
          ),
        );
      }
    });
    await stack.gateway.get(ImapPoller).pollNow(ACCOUNT);
    await stack.gateway.get(ReceiptSender).drain();
    expect(await inbox(mail, MAIL_USERS.sunli)).toHaveLength(2);
    expect(stack.gateway.get(EmailStats).receiptsSkipped['rate-limited']).toBe(1);
  });

  /** The event of an SMS from `from` with `text`. */
  async function smsEvent(sid: string, from: string, text: string): Promise<PetitionEvent> {
    const sms = await postTwilio(
      stack.url,
      twilioInbound({
        MessageSid: `SM${sid.repeat(32)}`,
        From: from,
        To: '+8613800000002',
        Body: text,
      }),
      { token: TEST_TWILIO_TOKEN },
    );
    expect(sms.status).toBe(200);
    await stack.events.waitFor(() => eventsFor(sms.petitionId).length >= 1);
    return eventsFor(sms.petitionId)[0] as PetitionEvent;
  }

  /** The event of a letter from the citizen's address, sent over SMTP and polled over IMAP. */
  async function letterEvent(
    messageId: string,
    subject: string,
    text: string,
  ): Promise<PetitionEvent> {
    const sender = createTransport({ host: '127.0.0.1', port: mail.smtpPort, ignoreTLS: true });
    await sender.sendMail({
      from: { name: '村民', address: MAIL_USERS.citizen.address },
      to: MAIL_USERS.mailbox.address,
      subject,
      text,
      messageId: `<${messageId}>`,
    });
    sender.close();
    await stack.gateway.get(ImapPoller).pollNow(ACCOUNT);
    const petitionId = trackingNumberFor(key(messageId));
    await stack.events.waitFor(() => eventsFor(petitionId).length >= 1);
    const letter = eventsFor(petitionId)[0] as PetitionEvent;
    expect(petitionEventProblems(letter)).toEqual([]);
    return letter;
  }

  it('links a letter to the SMS from the phone it gives as its contact: one petition', async () => {
    const text =
      '忠县石宝镇新政村的村道去年修好后一直没有路灯，晚上老人孩子出行很不安全，上个月还有人摔伤，请尽快安装路灯。';
    const sms = await smsEvent('e', '+8613712340009', text);
    const letter = await letterEvent(
      'contact-link.0200@example.test',
      '村道没有路灯',
      `县长您好：\n${text}\n\n联系电话：137 1234 0009`,
    );
    // The e-mail address is its key; the phone written at the end links it to the SMS.
    expect(letter.petitioner).toMatchObject({ email: MAIL_USERS.citizen.address, phone: null });
    expect(letter.petitioner.otherIdentityKeys).toContain(sms.petitioner.identityKey);
    expect(letter.dedup).toMatchObject({ outcome: 'duplicate', of: sms.petitionId });
  });

  it("takes the phone on the sender's signature card as theirs: shown, and the SMS's duplicate", async () => {
    const text =
      '忠县石宝镇新政村小学门口的减速带被压坏了半年，车辆开得飞快，孩子们上下学过马路很危险，请尽快修复。';
    const sms = await smsEvent('f', '+8613712340010', text);
    const letter = await letterEvent(
      'signature-card.0201@example.test',
      '减速带坏了',
      `县长您好：\n${text}\n-- \n新政村村民\n137 1234 0010`,
    );
    expect(letter.body).not.toContain('137');
    expect(letter.petitioner).toMatchObject({
      email: MAIL_USERS.citizen.address,
      phone: '+8613712340010',
      identityKey: sms.petitioner.identityKey,
    });
    expect(letter.dedup).toMatchObject({ outcome: 'duplicate', of: sms.petitionId });
  });

  it('imports nothing twice across a restart, even when the flags were lost', async () => {
    await raw.waitFor(() => rawKeys().length >= IMAP_CASES.length + 3);
    const before = rawKeys().length;
    await stack.gateway.close();
    // Simulate a crash between "durable" and "flagged": our flags are missing on two messages
    // and the UID cursor has not moved past them.
    await withImap(mail, MAIL_USERS.mailbox, async (client) => {
      await client.messageFlagsRemove('1:2', ['$XfImported'], { uid: true });
    });
    const shared = new LmdbGatewayState(stateDir);
    const state = new EmailStateStore(shared);
    const cursor = await state.cursor(ACCOUNT, 'INBOX');
    expect(cursor?.lastUid).toBeGreaterThan(2);
    await state.saveCursor(ACCOUNT, 'INBOX', { ...cursor!, lastUid: 0 });
    await shared.close();

    await withImap(mail, MAIL_USERS.mailbox, (client) =>
      client.append(
        'INBOX',
        Buffer.from(
          `From: citizen@example.test\r\nTo: ${MAIL_USERS.mailbox.address}\r\nSubject: after restart\r\nMessage-ID: <after-restart.0200@example.test>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n${'重启后的新来信。'}\r\n`,
        ),
      ),
    );
    const namespace = stack.topics.raw.slice(0, -'petition.raw.v1'.length);
    restarted = await createGatewayApp(
      loadGatewayEnv({
        KAFKA_BROKERS: stack.brokers.join(','),
        TOPIC_NAMESPACE: namespace,
        TOPIC_PARTITIONS: '3',
        LOG_LEVEL: 'silent',
        ...gatewayEnv,
      }),
    );
    await restarted.init();
    const poller = restarted.get(ImapPoller);
    const result = await poller.pollNow(ACCOUNT);
    const again = await poller.pollNow(ACCOUNT);
    expect(result.imported + again.imported).toBe(1);
    expect(result.duplicates + again.duplicates).toBe(2);

    const newKey = key('after-restart.0200@example.test');
    await raw.waitFor(() => rawKeys().includes(newKey));
    await raw.settle();
    const keys = rawKeys();
    expect(keys).toHaveLength(before + 1);
    expect(new Set(keys).size).toBe(keys.length);
    const messages = await inbox(mail, MAIL_USERS.mailbox);
    expect(
      messages.every((m) => m.flags?.has('$XfImported') || m.flags?.has('$XfDeadLettered')),
    ).toBe(true);
  });
});
