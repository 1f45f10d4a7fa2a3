/**
 * Longest text an SMS provider may hand us as one message: a concatenated SMS has at most 255
 * parts of ≤ 67 UCS-2 characters, and 255 × 67 rounds up to this. Shared by every SMS provider so
 * that a message one provider accepts is not refused by another.
 */
export const MAX_SMS_TEXT = 17_000;

/** Longest sender or hotline address: the raw-petition schema's limit for a phone. */
export const MAX_ADDRESS = 64;
