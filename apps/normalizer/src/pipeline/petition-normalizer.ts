import { createHash } from 'node:crypto';
import type { CountryCode } from 'libphonenumber-js';
import { PETITION_EVENT_SCHEMA, type PetitionEvent, type RawPetition } from '@app/contracts';
import { toE164 } from '@app/identity';

/** NFKC (full-width letters and digits to half-width), no control characters, collapsed spaces. */
export function normalizeText(text: string): string {
  return (
    text
      .normalize('NFKC')
      .replace(/\r\n?/g, '\n')
      // Control characters (but \n and \t) and zero-width characters carry no meaning in a petition.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200D\uFEFF]/g, '')
      .replace(/[^\S\n]+/g, ' ')
      .replace(/ *\n[\s]*/g, '\n')
      .trim()
  );
}

/** A UUID (v4 layout) derived from a string, so a retried normalisation yields the same eventId. */
export function deterministicUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x40;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function cleanOrNull(v: string | null): string | null {
  if (v === null) return null;
  const c = normalizeText(v);
  return c.length > 0 ? c : null;
}

/** Raw record → canonical event. Pure: the clock is passed in. */
export function buildPetitionEvent(
  raw: RawPetition,
  normalizedAt: Date,
  phoneRegion: CountryCode,
): PetitionEvent {
  const name = cleanOrNull(raw.petitioner.name);
  const phone = toE164(raw.petitioner.phone, phoneRegion);
  const email = cleanOrNull(raw.petitioner.email)?.toLowerCase() ?? null;
  const anonymous = !name && !phone && !email && !raw.petitioner.idNumber;
  return {
    schema: PETITION_EVENT_SCHEMA,
    eventId: deterministicUuid(`${raw.idempotencyKey}|${raw.eventType}|${raw.revision}`),
    eventType: raw.eventType,
    revision: raw.revision,
    petitionId: raw.petitionId,
    idempotencyKey: raw.idempotencyKey,
    channel: raw.channel,
    provider: raw.provider,
    receivedAt: new Date(raw.receivedAt).toISOString(),
    normalizedAt: normalizedAt.toISOString(),
    recipient: raw.recipient,
    petitioner: { name, phone, email, anonymous },
    subject: cleanOrNull(raw.subject),
    body: normalizeText(raw.text),
    original: raw.text,
    attachments: raw.attachments,
    meta: raw.meta,
    update: raw.update,
    reply: raw.reply
      ? { ...raw.reply, repliedAt: new Date(raw.reply.repliedAt).toISOString() }
      : null,
  };
}
