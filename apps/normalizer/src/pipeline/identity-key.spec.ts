import { createHash, createHmac } from 'node:crypto';
import { identityKeys } from './identity-key';
import { deterministicUuid } from './petition-normalizer';

/** The definition, written out with a string secret and no caching. */
function reference(basis: string, secret: string): string {
  return createHmac('sha256', secret).update(basis, 'utf8').digest('hex').slice(0, 32);
}

const none = { phone: null, email: null, idNumber: null };

describe('identityKeys', () => {
  it('is the HMAC of every identifier given, strongest first', () => {
    const phone = '+8613800138000';
    const id = '11010519491231002X';
    expect(identityKeys({ ...none, phone }, 's1')).toEqual([reference(`phone:${phone}`, 's1')]);
    expect(identityKeys({ ...none, phone, email: 'A@B.cn' }, 's1')).toEqual([
      reference(`phone:${phone}`, 's1'),
      reference('email:a@b.cn', 's1'),
    ]);
    expect(
      identityKeys({ phone, email: 'a@b.cn', idNumber: ` ${id.toLowerCase()} ` }, 's1'),
    ).toEqual([
      reference(`id:${id}`, 's1'),
      reference(`phone:${phone}`, 's1'),
      reference('email:a@b.cn', 's1'),
    ]);
    expect(identityKeys({ ...none, email: 'A@B.cn' }, 's1')).toEqual([
      reference('email:a@b.cn', 's1'),
    ]);
    expect(identityKeys(none, 's1')).toEqual([]);
  });

  it("adds a web platform's account last, the only key of a board post", () => {
    const account = 'people-cn:A00047580';
    expect(identityKeys({ ...none, account }, 's1')).toEqual([
      reference(`account:${account}`, 's1'),
    ]);
    expect(identityKeys({ ...none, email: 'a@b.cn', account }, 's1')).toEqual([
      reference('email:a@b.cn', 's1'),
      reference(`account:${account}`, 's1'),
    ]);
  });

  it('adds the numbers written in the text after those the channel gave, each once, 4 keys at most', () => {
    const phone = '+8613800138000';
    const other = '+8613912345678';
    const id = '11010519491231002X';
    // An e-mail whose letter ends with the phone: its keys include the SMS sender's.
    expect(
      identityKeys({ ...none, email: 'a@b.cn', written: { phones: [phone], idNumbers: [] } }, 's1'),
    ).toEqual([reference('email:a@b.cn', 's1'), reference(`phone:${phone}`, 's1')]);
    // The phone the channel gave, written again, is one key.
    expect(
      identityKeys({ ...none, phone, written: { phones: [phone, other], idNumbers: [id] } }, 's1'),
    ).toEqual([
      reference(`phone:${phone}`, 's1'),
      reference(`id:${id}`, 's1'),
      reference(`phone:${other}`, 's1'),
    ]);
    expect(
      identityKeys(
        {
          phone,
          email: 'a@b.cn',
          idNumber: id,
          account: 'people-cn:1',
          written: { phones: [other], idNumbers: [] },
        },
        's1',
      ),
    ).toHaveLength(4);
  });

  it('leaves out an ID number that fails its check digit', () => {
    const phone = '+8613800138000';
    expect(identityKeys({ ...none, phone, idNumber: '110105194912310021' }, 's1')).toEqual([
      reference(`phone:${phone}`, 's1'),
    ]);
  });

  it('follows a change of secret (the key object is cached per secret)', () => {
    const facts = { ...none, phone: '+8613800138000' };
    const [first] = identityKeys(facts, 'secret-one');
    const [second] = identityKeys(facts, 'secret-two');
    expect(second).not.toBe(first);
    expect(second).toBe(reference('phone:+8613800138000', 'secret-two'));
    expect(identityKeys(facts, 'secret-one')).toEqual([first]);
    expect(identityKeys(facts, '')).toEqual([reference('phone:+8613800138000', '')]);
  });
});

describe('deterministicUuid', () => {
  it('is SHA-256 of the seed laid out as a v4 UUID', () => {
    const seed = 'sms:twilio:SM123|petition.received|1';
    const h = createHash('sha256').update(seed).digest();
    h[6] = ((h[6] ?? 0) & 0x0f) | 0x40;
    h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
    const hex = h.subarray(0, 16).toString('hex');
    const uuid = deterministicUuid(seed);
    expect(uuid.replace(/-/g, '')).toBe(hex);
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicUuid(`${seed}x`)).not.toBe(uuid);
  });
});
