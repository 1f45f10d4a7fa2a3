import { createHash } from 'node:crypto';

/**
 * Tracking numbers (受理编号) — what a citizen texts back or types to follow a petition.
 *
 * Format: `XF-` + 12 data characters + 1 check character, e.g. `XF-7K2M9QRT4WXC8`.
 * - Alphabet: 29 characters, digits 2–9 and upper-case letters without I, L, O, U and Z, so none
 *   can be confused with another (0/O, 1/I/L, 2/Z, U/V) when read aloud, handwritten or retyped.
 * - Data: the first 64 bits of SHA-256 of the idempotency key, written in base 29 (12 characters
 *   hold 29^12 ≈ 3.5e17 values). Deterministic: a provider's retry gets the same number. At ten
 *   million petitions the chance that any two share a number is about 1.4e-4.
 * - Check: Σ (i+1)·value(data[i]) mod 29. Because 29 is prime and every weight is below 29, the
 *   check catches any single mistyped character and any swap of two adjacent data characters.
 * Input is forgiving: lower case, spaces, hyphens and a missing `XF` prefix are accepted.
 */
export const TRACKING_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXY';
const BASE = TRACKING_ALPHABET.length;
const DATA_LENGTH = 12;
const PREFIX = 'XF-';

function checkChar(data: string): string {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += (i + 1) * TRACKING_ALPHABET.indexOf(data[i] ?? '');
  return TRACKING_ALPHABET[sum % BASE] ?? '';
}

export function trackingNumberFor(idempotencyKey: string): string {
  const digest = createHash('sha256').update(idempotencyKey, 'utf8').digest();
  let n = digest.readBigUInt64BE(0);
  let data = '';
  for (let i = 0; i < DATA_LENGTH; i++) {
    data = TRACKING_ALPHABET[Number(n % BigInt(BASE))] + data;
    n /= BigInt(BASE);
  }
  return PREFIX + data + checkChar(data);
}

/** The canonical form of a typed tracking number, or null if it is malformed or fails its check. */
export function parseTrackingNumber(input: string): string | null {
  let s = input.normalize('NFKC').toUpperCase().replace(/[\s-]/g, '');
  if (s.startsWith('XF')) s = s.slice(2);
  if (s.length !== DATA_LENGTH + 1) return null;
  for (const ch of s) if (!TRACKING_ALPHABET.includes(ch)) return null;
  const data = s.slice(0, DATA_LENGTH);
  return checkChar(data) === s[DATA_LENGTH] ? PREFIX + s : null;
}
