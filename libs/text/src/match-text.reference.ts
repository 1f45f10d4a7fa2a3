import { normalizeBodyReference } from './body.reference';
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

/** The code units that can start a mask ([*＊×x]{2,}) once the text is lower-cased. */
export const MASK_UNITS: readonly number[] = [...'*＊×x'].map((c) => c.charCodeAt(0));

/**
 * From the lower-cased Simplified body on: masks removed, only letters and digits kept, greetings
 * removed to a fixed point. `removeGreetings` defaults to the regex; matchText passes its faster
 * equivalent.
 */
export function matchTextOfLowered(
  lowered: string,
  removeGreetings: (s: string) => string = (s) => s.replace(GREETING, ''),
): string {
  let s = lowered;
  if (s.includes('*') || s.includes('＊') || s.includes('x') || s.includes('×')) {
    s = s.replace(MASK, ' ');
  }
  s = keepLettersAndDigits(s);
  // Removing one greeting can join two halves into another one (您您好好): repeat to a fixed point.
  for (;;) {
    let next = removeGreetings(s);
    if (next.includes('x') || next.includes('×')) next = next.replace(LEFTOVER_MASK, '');
    if (next === s) return s;
    s = next;
  }
}

/**
 * Reference implementation of matchText (regex passes over normalizeBody's output), kept as the
 * fallback of the one-pass version for HTML and rare code units and as the oracle of its tests.
 */
export function matchTextReference(text: string): string {
  return matchTextOfLowered(toSimplified(normalizeBodyReference(text)).toLowerCase());
}
