import { TRACKING_ALPHABET, parseTrackingNumber, trackingNumberFor } from './tracking-number';

describe('tracking numbers', () => {
  const sample = trackingNumberFor('sms:twilio:SM0123456789abcdef0123456789abcdef');

  it('is deterministic per idempotency key and differs between keys', () => {
    expect(trackingNumberFor('sms:twilio:SM1')).toBe(trackingNumberFor('sms:twilio:SM1'));
    expect(trackingNumberFor('sms:twilio:SM1')).not.toBe(trackingNumberFor('sms:twilio:SM2'));
  });

  it('has the documented shape and parses back to itself', () => {
    expect(sample).toMatch(new RegExp(`^XF-[${TRACKING_ALPHABET}]{13}$`));
    expect(parseTrackingNumber(sample)).toBe(sample);
    expect(parseTrackingNumber(sample.toLowerCase().replace('-', ' '))).toBe(sample);
    expect(parseTrackingNumber(sample.slice(3))).toBe(sample);
  });

  it('contains no ambiguous characters', () => {
    for (const ch of '01IOLUZ') expect(TRACKING_ALPHABET).not.toContain(ch);
  });

  it('catches every single mistyped character', () => {
    const body = sample.slice(3);
    for (let i = 0; i < body.length; i++) {
      for (const ch of TRACKING_ALPHABET) {
        if (ch === body[i]) continue;
        const typo = body.slice(0, i) + ch + body.slice(i + 1);
        expect(parseTrackingNumber(typo)).toBeNull();
      }
    }
  });

  it('catches swaps of adjacent data characters', () => {
    const body = sample.slice(3);
    for (let i = 0; i < 11; i++) {
      if (body[i] === body[i + 1]) continue;
      const swapped = body.slice(0, i) + body[i + 1] + body[i] + body.slice(i + 2);
      expect(parseTrackingNumber(swapped)).toBeNull();
    }
  });

  it('has no collisions over 200,000 keys', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++) seen.add(trackingNumberFor(`k${i}`));
    expect(seen.size).toBe(200_000);
  });
});
