import type { AttachmentMeta } from './attachment';
import type { Channel } from './channel';
import type { Recipient } from './recipient';

export const PETITION_EVENT_SCHEMA = 'petition.event/1' as const;

/**
 * The canonical petition event on `petition.events.v1`, keyed by `petitionId`.
 * JSON Schema: schemas/petition-event.v1.schema.json (draft 2020-12), which every produced event
 * is validated against. Field-by-field documentation lives in the schema's descriptions.
 */
export interface PetitionEvent {
  schema: typeof PETITION_EVENT_SCHEMA;
  eventId: string;
  eventType: PetitionEventType;
  petitionId: string;
  idempotencyKey: string;
  channel: Channel;
  provider: string;
  receivedAt: string;
  normalizedAt: string;
  recipient: Recipient | null;
  petitioner: Petitioner;
  subject: string | null;
  body: string;
  original: string;
  attachments: AttachmentMeta[];
  meta: Record<string, string | number | boolean | null>;
}

export type PetitionEventType = 'petition.received';

export interface Petitioner {
  name: string | null;
  /** E.164, e.g. +8613800138000; null when the channel gave none or it was not a valid number. */
  phone: string | null;
  email: string | null;
  /** True when the channel gave no name, phone, email or ID number. */
  anonymous: boolean;
}
