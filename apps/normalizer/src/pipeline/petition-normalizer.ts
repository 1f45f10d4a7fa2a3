import { hash } from 'node:crypto';
import type { CountryCode } from 'libphonenumber-js';
import {
  PETITION_EVENT_SCHEMA,
  type Judgement,
  type PetitionEvent,
  type RawPetition,
} from '@app/contracts';
import { contactsInText, toE164 } from '@app/identity';
import { normalizeBody } from '@app/text';
import { identityKeys } from './identity-key';

/** The canonical event before the judgement step adds its fields. */
export type PetitionEventBase = Omit<PetitionEvent, keyof Judgement>;

/** A UUID (v4 layout) derived from a string, so a retried normalisation yields the same eventId. */
export function deterministicUuid(seed: string): string {
  // One-shot hash: half the cost of createHash().update().digest() for a short seed.
  const h = hash('sha256', seed, 'buffer');
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x40;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function cleanOrNull(v: string | null): string | null {
  if (v === null) return null;
  const c = normalizeBody(v);
  return c.length > 0 ? c : null;
}

export interface NormalizeOptions {
  phoneRegion: CountryCode;
  identitySecret: string;
}

/** Raw record → canonical event (without judgement). Pure: the clock is passed in. */
export function buildPetitionEvent(
  raw: RawPetition,
  normalizedAt: Date,
  options: NormalizeOptions,
): PetitionEventBase {
  const name = cleanOrNull(raw.petitioner.name);
  const phone = toE164(raw.petitioner.phone, options.phoneRegion);
  const email = cleanOrNull(raw.petitioner.email)?.toLowerCase() ?? null;
  const account = raw.petitioner.account ?? null;
  const anonymous = !name && !phone && !email && !raw.petitioner.idNumber && !account;
  // What the citizen wrote this time (an e-mail's body is without quotes): a number quoted from
  // an earlier mail is not theirs to claim.
  const written = contactsInText(raw.body ?? raw.text, options.phoneRegion);
  const [identityKey = null, ...otherIdentityKeys] = identityKeys(
    { phone, email, idNumber: raw.petitioner.idNumber, account, written },
    options.identitySecret,
  );
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
    petitioner: {
      name,
      phone,
      email,
      identityKey,
      otherIdentityKeys,
      anonymous,
    },
    subject: cleanOrNull(raw.subject),
    body: normalizeBody(raw.body ?? raw.text),
    original: raw.text,
    attachments: raw.attachments,
    meta: raw.meta,
    update: raw.update,
    reply: raw.reply
      ? { ...raw.reply, repliedAt: new Date(raw.reply.repliedAt).toISOString() }
      : null,
  };
}
