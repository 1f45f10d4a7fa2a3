import { createHmac, timingSafeEqual } from 'node:crypto';
import { TRACKING_ALPHABET } from '@app/contracts';

const LENGTH = 6;

/**
 * The query code (查询码) handed out with a mailbox tracking number: with both, a citizen can look
 * up the progress of their letter, while the tracking number alone (which may be printed or read
 * out) is not enough.
 *
 * Code = the first 6 characters of HMAC-SHA256(MAILBOX_QUERY_CODE_SECRET, "query-code:" +
 * tracking number), written in the tracking-number alphabet (29 unambiguous characters, so 29^6 ≈
 * 5.9e8 codes). Nothing is stored: whoever holds the secret can recompute and check a code.
 * Rotating the secret invalidates every code handed out. A lookup service must rate-limit guesses.
 */
export function queryCodeFor(petitionId: string, secret: string): string {
  const digest = createHmac('sha256', secret).update(`query-code:${petitionId}`).digest();
  let n = digest.readBigUInt64BE(0);
  let code = '';
  for (let i = 0; i < LENGTH; i++) {
    code += TRACKING_ALPHABET[Number(n % BigInt(TRACKING_ALPHABET.length))];
    n /= BigInt(TRACKING_ALPHABET.length);
  }
  return code;
}

/** Constant-time check of a code a citizen typed (case and surrounding spaces forgiven). */
export function isQueryCodeValid(petitionId: string, code: string, secret: string): boolean {
  const given = Buffer.from(code.normalize('NFKC').trim().toUpperCase());
  const expected = Buffer.from(queryCodeFor(petitionId, secret));
  return given.length === expected.length && timingSafeEqual(given, expected);
}
