import type { AttachmentMeta } from './attachment';
import type { Channel } from './channel';
import type { Judgement } from './judgement';
import type { Recipient } from './recipient';

export const PETITION_EVENT_SCHEMA = 'petition.event/1' as const;

/**
 * The canonical petition event on `petition.events.v1`, keyed by `petitionId`.
 * JSON Schema: schemas/petition-event.v1.schema.json (draft 2020-12), which every produced event
 * is validated against. Field-by-field documentation lives in the schema's descriptions.
 */
export interface PetitionEvent extends Judgement {
  schema: typeof PETITION_EVENT_SCHEMA;
  eventId: string;
  eventType: PetitionEventType;
  /** 1 for the first version of a petition; +1 for each content change (board edits). */
  revision: number;
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
  /** Set on petition.updated: which fields changed against the previous revision. */
  update: PetitionUpdate | null;
  /** Set on petition.replied: the official reply that was newly seen (a status update). */
  reply: OfficialReply | null;
}

/**
 * - `petition.received`: a new petition (revision 1).
 * - `petition.updated`: the citizen changed the text of a petition already received (same
 *   petitionId, higher revision; `update` says what changed).
 * - `petition.replied`: an official reply to the petition was seen (a status update; `reply`).
 * One topic with a type field rather than three topics: consumers keep per-petition order
 * (all keyed by petitionId, same partition) and one subscription sees the whole lifecycle.
 */
export type PetitionEventType = 'petition.received' | 'petition.updated' | 'petition.replied';

export interface PetitionUpdate {
  changedFields: ('subject' | 'body' | 'recipient' | 'meta')[];
  previousRevision: number;
}

export interface OfficialReply {
  unit: string;
  repliedAt: string;
  text: string;
}

export interface Petitioner {
  name: string | null;
  /** E.164, e.g. +8613800138000; null when the channel gave none or it was not a valid number. */
  phone: string | null;
  email: string | null;
  /**
   * Keyed hash linking the same person across channels (ID number, else phone, else e-mail, else
   * a web platform's account) without revealing who they are; null for anonymous petitions.
   */
  identityKey: string | null;
  /**
   * Keys of the other identifiers given, in the same order (a mailbox form with an ID number also
   * gives the phone its sender texts from): one person's petitions share at least one key among
   * identityKey and these. Absent in events of earlier versions.
   */
  otherIdentityKeys?: string[];
  /** True when the channel gave no name, phone, email, ID number or account. */
  anonymous: boolean;
}
