import type { AttachmentMeta } from './attachment';
import type { Channel } from './channel';
import type { Recipient } from './recipient';

export const RAW_PETITION_SCHEMA = 'petition.raw/1' as const;

/**
 * What the gateway publishes to `petition.raw.v1` once it has accepted an item from a channel:
 * the item as received plus what only the gateway knows (recipient, tracking number, receive
 * time). The normalizer turns it into a {@link PetitionEvent}. Keyed by `petitionId`.
 */
export interface RawPetition {
  schema: typeof RAW_PETITION_SCHEMA;
  /** What this record says about the petition; see PetitionEventType. */
  eventType: 'petition.received' | 'petition.updated' | 'petition.replied';
  revision: number;
  petitionId: string;
  /**
   * `<channel>:<provider>:<provider's id>`, e.g. `sms:twilio:SM…`; unique per record (an update
   * or reply carries its own key, e.g. `…#r2`), while petitionId stays the petition's.
   */
  idempotencyKey: string;
  channel: Channel;
  provider: string;
  receivedAt: string;
  recipient: Recipient | null;
  petitioner: RawPetitioner;
  subject: string | null;
  /** The text exactly as received (after transfer decoding), before any normalisation. */
  text: string;
  /**
   * The petition proper when the channel cleaned it (e-mail: quoted replies and signature
   * stripped); absent or null means `text` is the petition. The event's `original` stays `text`.
   */
  body?: string | null;
  attachments: AttachmentMeta[];
  /** Channel-specific facts (board post id and URL, SMS segment info, mail thread ids…). */
  meta: Record<string, string | number | boolean | null>;
  update: {
    changedFields: ('subject' | 'body' | 'recipient' | 'meta')[];
    previousRevision: number;
  } | null;
  reply: { unit: string; repliedAt: string; text: string } | null;
}

export interface RawPetitioner {
  name: string | null;
  /** As given by the channel; the normalizer formats it to E.164. */
  phone: string | null;
  email: string | null;
  idNumber: string | null;
  /**
   * An account on a web platform, `<scope>:<account id>` (a board author's user id): one person's,
   * though not who they are. Absent in records written before it existed.
   */
  account?: string | null;
}
