import { isRawPetition, trackingNumberFor, RAW_PETITION_SCHEMA } from '@app/contracts';
import { parseMail } from '@app/mail';
import {
  ORIGIN_PETITION_ID,
  RECEIPT_MESSAGE_ID_OF_ORIGIN,
  emailFixture,
} from '../../../../../test/fixtures/email/cases';
import {
  emailIdempotencyKey,
  petitionIdOfReceipt,
  receiptMessageId,
  toPetitionDraft,
  type EmailDraftContext,
} from './email-petition.mapper';

const recipient = {
  id: 'zhongxian-county-head',
  name: '忠县县长',
  kind: 'leader',
  county: '忠县',
} as const;

/** An IMAP draft context; each case overrides what it is about. */
const imapContext = (over: Partial<EmailDraftContext> = {}): EmailDraftContext => ({
  mode: 'imap',
  recipient,
  recipientIds: ['zhongxian-county-head'],
  attachments: [],
  attachmentsSkipped: 0,
  originalRef: null,
  inReplyToPetitionId: null,
  source: 'imap:zhongxian-county-head',
  ...over,
});

describe('email petition mapping', () => {
  it("takes the sender's phone from the card below the signature delimiter", async () => {
    const mail = await parseMail(
      Buffer.from(
        [
          'From: Qian Hao <qianhao@example.test>',
          'To: xianzhang@zhongxian.gov.test',
          'Subject: =?UTF-8?B?5a2m5qCh6Zeo5Y+j?=',
          'Message-ID: <card.1@mail.example.test>',
          'Content-Type: text/plain; charset=UTF-8',
          '',
          '实验小学门口放学时段流动摊贩很多。',
          '-- ',
          '钱浩',
          '138 0013 8000',
          '',
        ].join('\r\n'),
      ),
    );
    const draft = toPetitionDraft(mail, imapContext());
    expect(draft.petitioner).toMatchObject({
      phone: '+8613800138000',
      email: 'qianhao@example.test',
    });
    expect(draft.body).toBe('实验小学门口放学时段流动摊贩很多。');
  });

  it('makes a schema-valid raw petition with the stripped body and the original by reference', async () => {
    const mail = await parseMail(emailFixture('utf8-alternative-reply.eml'));
    const draft = toPetitionDraft(
      mail,
      imapContext({
        originalRef: 'blob:sha256/' + 'a'.repeat(64),
        inReplyToPetitionId: ORIGIN_PETITION_ID,
      }),
    );
    expect(draft).toMatchObject({
      idempotencyKey: 'email:utf8-alternative-reply.0005@mail.example.test',
      channel: 'email',
      provider: 'imap',
      petitioner: { name: '赵小红', email: 'zhaoxh@example.test', phone: null, idNumber: null },
      subject: 'Re: 您的信访事项已受理',
      body: '补充一下：施工单位晚上十一点以后还在打桩，噪音很大。',
      meta: {
        inReplyToPetitionId: ORIGIN_PETITION_ID,
        quotesStripped: true,
        originalRef: 'blob:sha256/' + 'a'.repeat(64),
      },
    });
    // The whole decoded text stays available as the event's `original`.
    expect(draft.text).toContain('写道：');
    expect(draft.text.startsWith(draft.body ?? '')).toBe(true);
    const { ref: _ref, petitionKey: _pk, ...rest } = draft;
    const raw = {
      ...rest,
      schema: RAW_PETITION_SCHEMA,
      petitionId: trackingNumberFor(draft.idempotencyKey),
      receivedAt: '2026-11-23T01:30:00.000Z',
      eventType: 'petition.received',
      revision: 1,
      update: null,
      reply: null,
    };
    expect(isRawPetition(raw)).toBe(true);
  });

  it('keys mail by Message-ID whatever the mode, and by the raw hash without one', async () => {
    const withId = await parseMail(emailFixture('gbk-8bit.eml'));
    expect(emailIdempotencyKey(withId)).toBe('email:gbk-8bit.0001@mail.example.test');
    const withoutId = await parseMail(emailFixture('no-message-id.eml'));
    expect(emailIdempotencyKey(withoutId)).toBe(`email:sha256:${withoutId.rawSha256}`);
    expect(emailIdempotencyKey({ messageId: 'x'.repeat(500), rawSha256: 'f' })).toMatch(
      /^email:mid-sha256:[0-9a-f]{64}$/,
    );
  });

  it('reads the tracking number back from our receipt Message-IDs only', () => {
    const id = receiptMessageId('XF-X74PADQNV6X32', 'abc123', 'gateway.local');
    expect(id).toBe('receipt.XF-X74PADQNV6X32.abc123@gateway.local');
    expect(petitionIdOfReceipt(id, 'gateway.local')).toBe('XF-X74PADQNV6X32');
    expect(petitionIdOfReceipt(RECEIPT_MESSAGE_ID_OF_ORIGIN, 'gateway.local')).toBe(
      ORIGIN_PETITION_ID,
    );
    expect(petitionIdOfReceipt(id, 'other.example')).toBeNull();
    // A mistyped check character is not a tracking number.
    expect(
      petitionIdOfReceipt('receipt.XF-X74PADQNV6X33.a@gateway.local', 'gateway.local'),
    ).toBeNull();
  });
});
