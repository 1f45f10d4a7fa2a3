import { contactsInText, phoneInSignature } from './contacts-in-text';

// Synthetic identifiers only: 13800138000 is the carriers' well-known test number, and
// 11010519491231002X is GB 11643's own worked example.
const MOBILE = '+8613800138000';
const OTHER_MOBILE = '+8613912345678';
const ID = '11010519491231002X';

describe('contactsInText', () => {
  it.each([
    ['labelled at the end of a letter', '此致\n张先生\n联系电话：13800138000', [MOBILE], []],
    ['full-width digits and colon', '联系电话：１３８００１３８０００', [MOBILE], []],
    ['spaced and with the country code', '我的手机 +86 138 0013 8000。', [MOBILE], []],
    ['an English label', 'Regards, Zhang\nTelephone: 13800138000', [MOBILE], []],
    ['a landline with its area code', '联系方式:023-63881234', ['+862363881234'], []],
    ['after 本人', '本人电话13800138000，本人身份证号' + ID, [MOBILE], [ID]],
    ['a lower-case x in the ID', `身份证号码：${ID.toLowerCase()}`, [], [ID]],
    [
      'two phones, each once',
      '手机13800138000，电话13912345678，手机13800138000',
      [MOBILE, OTHER_MOBILE],
      [],
    ],
    ["someone else's phone: a word before the label", '物业电话13800138000一直没人接', [], []],
    ["someone else's ID: a relative", `我儿子身份证号${ID}`, [], []],
    ["a bare number is anyone's", '请拨打13800138000反映', [], []],
    ['a masked number', '联系电话：138****8000', [], []],
    ['an invalid number', '联系电话：12345678901', [], []],
    ['an ID with a wrong check digit', '身份证号110105194912310021', [], []],
    ['a longer digit run is no phone', '电话138001380001234', [], []],
  ])('%s', (_name, text, phones, ids) => {
    expect(contactsInText(text)).toEqual({ phones, idNumbers: ids });
  });

  it('bounds its reading of a huge text', () => {
    const text = '投诉'.repeat(20_000) + '联系电话：13800138000';
    expect(contactsInText(text).phones).toEqual([]);
  });
});

describe('phoneInSignature', () => {
  it.each([
    ['a bare mobile under the name', '张三\n138 0013 8000', MOBILE],
    ['the name and number on one line', '张三 13800138000', MOBILE],
    ['a labelled number before a bare one', '传真 13912345678\n手机：13800138000', MOBILE],
    ["a fax is not the sender's phone", '传真：13912345678\n13800138000', MOBILE],
    ['a QQ or WeChat number is not either', 'QQ 13912345678\n微信：13912345678', null],
    ['a landline with its area code when labelled', 'Tel: 023-63881234', '+862363881234'],
    ['a bare landline may be a switchboard or fax: not taken', '023-63881234', null],
    ['no number', '张三\n某某公司', null],
    ['no signature', '', null],
  ])('%s', (_name, signature, phone) => {
    expect(phoneInSignature(signature)).toBe(phone);
  });
});
