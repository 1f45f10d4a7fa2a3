import type { CountryCode } from 'libphonenumber-js';
import { toE164 } from './phone';
import { isValidResidentId } from './resident-id';

/** Identifiers a citizen wrote in the text as their own contact. */
export interface WrittenContacts {
  /** E.164, in order of mention, at most MAX_WRITTEN_PHONES. */
  phones: string[];
  /** Valid resident ID numbers (upper-case X), at most MAX_WRITTEN_IDS. */
  idNumbers: string[];
}

export const MAX_WRITTEN_PHONES = 2;
export const MAX_WRITTEN_IDS = 1;

/** Longest first, so 联系电话 is read whole rather than as 电话. */
const PHONE_LABELS = [
  '联系电话',
  '联系方式',
  '联系手机',
  '手机号码',
  '电话号码',
  '手机号',
  '手机',
  '电话',
  'telephone',
  'mobile',
  'phone',
  'tel',
];
const ID_LABELS = ['身份证号码', '身份证号', '身份证'];
const LABEL = new RegExp(`${[...ID_LABELS, ...PHONE_LABELS].join('|')}`, 'giu');

/** Between a label and its number: spaces, a colon, 是 or 为. */
const SEP = String.raw`[\s:：是为]{0,3}`;
/** A mainland mobile (138 0013 8000) or a landline with its area code (023-6388 1234). */
const PHONE_AFTER = new RegExp(
  String.raw`${SEP}((?:\+?86[\- ]?)?(?:1[3-9]\d(?:[\- ]?\d){8}|0\d{2,3}[\- ]?\d{7,8}))(?!\d)`,
  'y',
);
const ID_AFTER = new RegExp(String.raw`${SEP}(\d{17}[\dxX])(?!\d)`, 'y');

/** Characters after a label that can hold a separator and a spaced, prefixed number. */
const NUMBER_SPAN = 32;

const OPENS_CLAUSE = /[\s\p{P}\p{S}]/u;

/**
 * A label must open its clause (text start, whitespace, punctuation) or follow 我/我的/本人: then
 * the number is the writer's own. "物业电话", "老板手机", "我儿子身份证号" follow another word, and a
 * number that belongs to someone else (a shop ten people complain about) must not make those ten
 * people one person.
 */
function ownLabel(text: string, at: number): boolean {
  if (at === 0) return true;
  const before = text.slice(Math.max(0, at - 3), at);
  return (
    OPENS_CLAUSE.test(before.charAt(before.length - 1)) ||
    before.endsWith('我') ||
    before.endsWith('我的') ||
    before.endsWith('本人') ||
    before.endsWith('本人的')
  );
}

/**
 * The phone numbers and resident ID numbers the citizen wrote as their own ("联系电话：138 0013
 * 8000", "本人身份证号 11010519491231002X"), validated (libphonenumber, the ID check digit). An
 * e-mail's sender gives only the address, yet the letter usually ends with a phone number: this is
 * what links it to the SMS from that phone. Only labelled numbers count; a bare number in the text
 * may be anyone's.
 */
export function contactsInText(text: string, region: CountryCode = 'CN'): WrittenContacts {
  const phones: string[] = [];
  const idNumbers: string[] = [];
  // Bounded, so a huge text costs a bounded scan.
  const t = text.slice(0, 20_000);
  LABEL.lastIndex = 0;
  for (let m = LABEL.exec(t); m !== null; m = LABEL.exec(t)) {
    if (!ownLabel(t, m.index)) continue;
    const isId = m[0].startsWith('身份证');
    const after = isId ? ID_AFTER : PHONE_AFTER;
    // Full-width digits and colons as half-width, in the few characters after the label only.
    const end = m.index + m[0].length;
    after.lastIndex = 0;
    const number = after.exec(t.slice(end, end + NUMBER_SPAN).normalize('NFKC'))?.[1];
    if (number === undefined) continue;
    if (isId) {
      const id = number.toUpperCase();
      if (idNumbers.length < MAX_WRITTEN_IDS && isValidResidentId(id) && !idNumbers.includes(id))
        idNumbers.push(id);
    } else {
      const e164 = toE164(number, region);
      if (e164 && phones.length < MAX_WRITTEN_PHONES && !phones.includes(e164)) phones.push(e164);
    }
  }
  return { phones, idNumbers };
}

/** A mainland mobile number standing alone (no label), as business cards give it. */
const BARE_MOBILE = /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d){8}(?!\d)/gu;
/** Numbers on a card that are not its owner's phone. */
const NOT_THE_PHONE = /(?:传真|fax|qq|微信|wechat)\s*[:：]?\s*$/iu;

/**
 * The sender's phone from an e-mail's signature (the lines below "-- "): a labelled number as in
 * the text, else the first bare mobile number, since a signature is the sender's own card and
 * mainland cards often give the number without a label. A fax, QQ or WeChat number is not it;
 * null when there is none.
 */
export function phoneInSignature(signature: string, region: CountryCode = 'CN'): string | null {
  if (signature === '') return null;
  const labelled = contactsInText(signature, region).phones[0];
  if (labelled !== undefined) return labelled;
  const card = signature.slice(0, 2000).normalize('NFKC');
  for (const m of card.matchAll(BARE_MOBILE)) {
    if (NOT_THE_PHONE.test(card.slice(Math.max(0, m.index - 12), m.index))) continue;
    const e164 = toE164(m[0], region);
    if (e164) return e164;
  }
  return null;
}
