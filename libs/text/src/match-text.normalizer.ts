import { normalizeBody } from './body.normalizer';
import { keepLettersAndDigits } from './content-chars.table';
import { GREETINGS } from './greetings.lexicon';
import { toSimplified } from './simplified.converter';

// Masked personal data as published boards and our own redaction write it: 电话*****,
// 138****1234, 身份证号430***********1234, xxx小区, ×××. Removed with the label in front of it,
// before punctuation removal would erase the mask and glue the digits around it together.
const MASK_LABEL =
  '(?:联系电话|电话号码|手机号码|电话|手机号?|联系方式|身份证号码?|身份证|qq号?|微信号?|邮箱)?';
const MASK = new RegExp(`${MASK_LABEL}[:：]?\\s*\\d*[*＊×x]{2,}\\d*`, 'gu');
const GREETING = new RegExp(GREETINGS.join('|'), 'g');
const LEFTOVER_MASK = /[x×]{2,}/g;

/**
 * The text compared for matching, dedup and classification: normalizeBody, Traditional →
 * Simplified, lower-case, masks (and their labels) and greetings/sign-offs removed, then every
 * character that is not a letter or a digit removed. Idempotent:
 * `matchText(matchText(t)) === matchText(t)`.
 */
export function matchText(text: string): string {
  let s = toSimplified(normalizeBody(text)).toLowerCase();
  if (s.includes('*') || s.includes('＊') || s.includes('x') || s.includes('×')) {
    s = s.replace(MASK, ' ');
  }
  s = keepLettersAndDigits(s);
  // Removing one greeting can join two halves into another one (您您好好): repeat to a fixed point.
  for (;;) {
    const next = s.replace(GREETING, '').replace(LEFTOVER_MASK, '');
    if (next === s) return s;
    s = next;
  }
}
