import { loadChannelsConfig } from '@app/config';
import { join } from 'node:path';
import {
  TINY_PNG,
  mailboxLetter,
  residentId,
  residentIdWithBadCheck,
} from '../../../../../test/fixtures/mailbox/letters';
import type { InboundRequest } from '../channel-adapter';
import { MailboxAdapter, MailboxValidationError } from './mailbox.adapter';
import { isQueryCodeValid, queryCodeFor } from './query-code';

const channels = loadChannelsConfig(join(__dirname, '../../../../../config/channels.yaml'));
const adapter = new MailboxAdapter(channels);

function request(body: unknown): InboundRequest {
  return {
    method: 'POST',
    path: '/channels/mailbox',
    publicBaseUrl: 'https://petitions.example.gov.cn',
    headers: {},
    rawBody: Buffer.alloc(0),
    body,
    clientIp: '127.0.0.1',
  };
}

function fieldErrors(body: unknown): { field: string; code: string; message: string }[] {
  try {
    adapter.submission(request(body));
  } catch (error) {
    if (error instanceof MailboxValidationError) return error.fields;
    throw error;
  }
  return [];
}

describe('MailboxAdapter', () => {
  it('turns a valid letter into a petition for the mailbox owner', () => {
    const s = adapter.submission(request(mailboxLetter()));
    const draft = adapter.draftFor(s, 'mailbox:web:zhongxian-county-head:s:abc');
    expect(draft).toEqual({
      ref: 'mailbox:web:zhongxian-county-head:s:abc',
      idempotencyKey: 'mailbox:web:zhongxian-county-head:s:abc',
      channel: 'mailbox',
      provider: 'web',
      recipient: { id: 'zhongxian-county-head', name: '忠县县长', kind: 'leader', county: '忠县' },
      petitioner: {
        name: '王建国',
        phone: '+8613912345678',
        email: 'wang.jianguo@example.com',
        idNumber: residentId(),
      },
      subject: '小区天然气迟迟未通',
      text: mailboxLetter().content,
      attachments: [],
      meta: {
        mailboxId: 'zhongxian-county-head',
        mailboxTitle: '忠县县长信箱',
        agreePublic: false,
        address: '重庆市忠县忠州街道某小区3栋',
        submissionId: null,
      },
    });
  });

  it.each<[string, Record<string, unknown>]>([
    [
      'form strings: agreePublic as 同意, blanks for optional fields',
      { agreePublic: '同意', email: '', address: '  ' },
    ],
    ['a landline with area code', { phone: '023-5456 1234' }],
    ['a lower-case x check character', { idNumber: residentId('11010519491231002').toLowerCase() }],
    [
      'Traditional characters',
      {
        title: '社區天然氣遲遲未通',
        content: '縣長您好：我們社區交房已經兩年，天然氣至今沒有接通。',
      },
    ],
    [
      'no ID number where the mailbox does not require one',
      { mailbox: 'fengjie-county-head', idNumber: undefined },
    ],
    ['exactly 10 characters of content', { content: '一二三四五六七八九十' }],
    // As long as the longest real message in the public board data (9,023 characters), and the cap.
    ['9,023 characters of content', { content: '字'.repeat(9023) }],
    ['20,000 characters of content', { content: '字'.repeat(20_000) }],
    ['a title of 100 characters', { title: '题'.repeat(100) }],
  ])('accepts %s', (_name, overrides) => {
    expect(fieldErrors(mailboxLetter(overrides))).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['no name', { name: undefined }, 'name', 'name-required'],
    ['a blank name', { name: '   ' }, 'name', 'name-required'],
    ['a name over 50 characters', { name: '名'.repeat(51) }, 'name', 'name-too-long'],
    ['no phone', { phone: undefined }, 'phone', 'phone-required'],
    ['a phone that is no number', { phone: '12345' }, 'phone', 'phone-invalid'],
    ['a wrong check digit', { idNumber: residentIdWithBadCheck() }, 'idNumber', 'id-check-digit'],
    ['a 15-digit old ID', { idNumber: '500233800101001' }, 'idNumber', 'id-format'],
    [
      'an impossible birth date',
      { idNumber: residentId('50023319800231001') },
      'idNumber',
      'id-birth-date',
    ],
    ['no ID in a real-name mailbox', { idNumber: undefined }, 'idNumber', 'id-required'],
    ['a malformed email', { email: 'wang@' }, 'email', 'email-invalid'],
    [
      'an address over 200 characters',
      { address: '址'.repeat(201) },
      'address',
      'address-too-long',
    ],
    ['no title', { title: '' }, 'title', 'title-required'],
    ['a title of 101 characters', { title: '题'.repeat(101) }, 'title', 'title-too-long'],
    ['no content', { content: undefined }, 'content', 'content-required'],
    ['9 characters of content', { content: '一二三四五六七八九' }, 'content', 'content-length'],
    ['20,001 characters of content', { content: '字'.repeat(20_001) }, 'content', 'content-length'],
    ['no publication choice', { agreePublic: undefined }, 'agreePublic', 'publish-required'],
    ['a publication choice of maybe', { agreePublic: 'maybe' }, 'agreePublic', 'publish-invalid'],
    ['an unknown mailbox', { mailbox: 'nobody' }, 'mailbox', 'mailbox-unknown'],
    ['a malformed submissionId', { submissionId: 'x' }, 'submissionId', 'submission-id-invalid'],
    ['an unknown field', { website: 'http://spam.example' }, 'website', 'unknown-field'],
    ['a name given twice (array)', { name: ['a', 'b'] }, 'name', 'name-invalid'],
    ['attachments that are not a list', { attachments: 'x' }, 'attachments', 'attachment-invalid'],
    // Found by the hostile-input properties: class-transformer threw on these (a 500).
    [
      'a phone object with a nested constructor key',
      { phone: { a: [{ constructor: { x: 1 } }] } },
      'phone',
      'phone-invalid',
    ],
    [
      'a name object with a constructor key',
      { name: { constructor: 'x' } },
      'name',
      'name-invalid',
    ],
    [
      'an unknown field holding a constructor object',
      { extra: { constructor: { prototype: 1 } } },
      'extra',
      'unknown-field',
    ],
  ])('refuses %s', (_name, overrides, field, code) => {
    const errors = fieldErrors(mailboxLetter(overrides));
    expect(errors).toEqual([{ field, code, message: expect.stringMatching(/[\u4e00-\u9fff]/) }]);
  });

  it('lists every invalid field at once, in form order', () => {
    const errors = fieldErrors(
      mailboxLetter({
        name: '',
        phone: 'abc',
        idNumber: residentIdWithBadCheck(),
        title: '',
        content: '太短',
        extra: 1,
      }),
    );
    expect(errors.map((e) => [e.field, e.code])).toEqual([
      ['name', 'name-required'],
      ['phone', 'phone-invalid'],
      ['idNumber', 'id-check-digit'],
      ['title', 'title-required'],
      ['content', 'content-length'],
      ['extra', 'unknown-field'],
    ]);
    expect(errors.find((e) => e.field === 'idNumber')?.message).toBe('身份证号码校验位不正确');
  });

  describe('attachments', () => {
    const png = {
      filename: 'C:\\Users\\wang\\照片.png',
      contentType: 'image/png',
      contentBase64: TINY_PNG.toString('base64'),
    };

    it('describes an allowed file by hash, never carrying its bytes', () => {
      const s = adapter.submission(request(mailboxLetter({ attachments: [png] })));
      const [meta] = adapter.draftFor(s, 'k').attachments;
      expect(meta).toEqual({
        filename: '照片.png',
        contentType: 'image/png',
        size: TINY_PNG.length,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        ref: `blob:sha256/${meta?.sha256}`,
      });
    });

    it.each<[string, unknown[], string]>([
      ['too many files (limit 3)', [png, png, png, png], 'attachment-too-many'],
      [
        'a type the mailbox does not take',
        [{ ...png, filename: 'a.exe', contentType: 'application/x-msdownload' }],
        'attachment-type',
      ],
      [
        'an executable renamed to .png',
        [{ ...png, contentBase64: Buffer.from('MZ\x90\x00').toString('base64') }],
        'attachment-type',
      ],
      [
        'a file over 5 MB',
        [
          {
            ...png,
            contentBase64: Buffer.concat([TINY_PNG, Buffer.alloc(5 * 1024 * 1024)]).toString(
              'base64',
            ),
          },
        ],
        'attachment-too-large',
      ],
      [
        'a file without name',
        [{ contentType: 'image/png', contentBase64: '' }],
        'attachment-invalid',
      ],
    ])('refuses %s', (_name, attachments, code) => {
      expect(fieldErrors(mailboxLetter({ attachments })).map((e) => e.code)).toEqual([code]);
    });
  });

  describe('re-posts', () => {
    const at = new Date('2024-05-06T01:00:00Z');
    const identity = (o: Record<string, unknown>) =>
      adapter.identityOf(adapter.submission(request(mailboxLetter(o))));

    it('is the same letter for the same submissionId, whatever else changed', () => {
      expect(identity({ submissionId: 'form-0001' }).keyAt(at)).toBe(
        identity({ submissionId: 'form-0001', title: '改了标题' }).keyAt(new Date()),
      );
    });

    it('is the same fingerprint for the same mailbox, phone, title and content, spaces aside', () => {
      const a = identity({});
      const b = identity({
        phone: '+86 139-1234-5678',
        content: `  ${String(mailboxLetter().content)} `,
        name: '王先生',
      });
      expect(b.storeKey).toBe(a.storeKey);
      expect(identity({ title: '另一件事' }).storeKey).not.toBe(a.storeKey);
      expect(identity({ mailbox: 'zhongxian-party-secretary' }).storeKey).not.toBe(a.storeKey);
    });
  });

  describe('query codes', () => {
    it('are 6 unambiguous characters, stable per number and secret', () => {
      const code = queryCodeFor('XF-23456789ABCDE', 'secret-one-0123456789');
      expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTVWXY]{6}$/);
      expect(queryCodeFor('XF-23456789ABCDE', 'secret-one-0123456789')).toBe(code);
      expect(queryCodeFor('XF-23456789ABCDF', 'secret-one-0123456789')).not.toBe(code);
      expect(queryCodeFor('XF-23456789ABCDE', 'secret-two-0123456789')).not.toBe(code);
      expect(
        isQueryCodeValid('XF-23456789ABCDE', ` ${code.toLowerCase()} `, 'secret-one-0123456789'),
      ).toBe(true);
      expect(isQueryCodeValid('XF-23456789ABCDE', code.slice(0, 5), 'secret-one-0123456789')).toBe(
        false,
      );
    });
  });
});
