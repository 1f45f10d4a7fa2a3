import { parseMail } from '@app/mail';
import { emailFixture } from '../../../../../test/fixtures/email/cases';
import { receiptBlocked, SenderRateLimiter } from './receipt.policy';

const own = new Set(['xianzhang@zhongxian.gov.test', 'receipts@gateway.test']);

describe('receipt policy', () => {
  it.each([
    ['gbk-8bit.eml', undefined, null],
    ['auto-reply.eml', undefined, 'automated'],
    ['bounce.eml', undefined, 'automated'],
    ['gbk-8bit.eml', '', 'null-envelope-sender'],
    ['gbk-8bit.eml', 'mailer-daemon@mx.example.test', 'automated'],
  ])('%s (envelope %s) → %s', async (file, envelopeFrom, expected) => {
    const mail = await parseMail(emailFixture(file));
    expect(
      receiptBlocked({ mail, envelopeFrom, ownDomain: 'gateway.local', ownAddresses: own }),
    ).toBe(expected);
  });

  it('never answers our own addresses, our own Message-IDs or mail without a sender', () => {
    const base = { envelopeFrom: undefined, ownDomain: 'gateway.local', ownAddresses: own };
    const person = { name: null, address: 'a@example.test' };
    expect(
      receiptBlocked({
        ...base,
        mail: {
          from: { name: null, address: 'receipts@gateway.test' },
          messageId: 'x@y',
          automated: null,
        },
      }),
    ).toBe('own-mail');
    expect(
      receiptBlocked({
        ...base,
        mail: { from: person, messageId: 'receipt.XF-1.a@gateway.local', automated: null },
      }),
    ).toBe('own-mail');
    expect(
      receiptBlocked({ ...base, mail: { from: null, messageId: 'x@y', automated: null } }),
    ).toBe('no-sender');
    expect(
      receiptBlocked({ ...base, mail: { from: person, messageId: 'x@y', automated: null } }),
    ).toBeNull();
  });

  it('allows N receipts per sender per hour, then refuses until the hour has passed', () => {
    const limiter = new SenderRateLimiter(2);
    const t0 = 1_000_000;
    expect(limiter.take('a@x.test', t0)).toBe(true);
    expect(limiter.take('a@x.test', t0 + 1)).toBe(true);
    expect(limiter.take('a@x.test', t0 + 2)).toBe(false);
    expect(limiter.take('b@x.test', t0 + 2)).toBe(true);
    expect(limiter.take('a@x.test', t0 + 3600_001)).toBe(true);
  });
});
