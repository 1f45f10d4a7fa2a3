import type { Channel, RawPetition } from '@app/contracts';

/** An HTTP request as an adapter sees it: nothing framework-specific, so tables can build it. */
export interface InboundRequest {
  method: string;
  /** The path and query exactly as received, e.g. `/channels/sms/twilio?x=1`. */
  path: string;
  /** Scheme + host the sender used (from PUBLIC_BASE_URL, or rebuilt from the request). */
  publicBaseUrl: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body bytes as received: signatures are computed over these, never over a re-encoding. */
  rawBody: Buffer;
  /** The body parsed according to its content type (form fields or JSON), untrusted. */
  body: unknown;
  clientIp: string;
}

/** One petition an adapter found in a request, before the gateway stamps number and time. */
export type PetitionDraft = Omit<
  RawPetition,
  'schema' | 'petitionId' | 'receivedAt' | 'eventType' | 'revision' | 'update' | 'reply'
> &
  Partial<Pick<RawPetition, 'eventType' | 'revision' | 'update' | 'reply'>> & {
    /** The sender's own reference for this item (e.g. a message id), echoed in per-item results. */
    ref: string;
    /**
     * The key the tracking number is derived from when it differs from idempotencyKey: an update
     * or reply record has a key of its own but belongs to the petition of `petitionKey`.
     */
    petitionKey?: string;
  };

/** An item the adapter refused, with a stable machine-readable code and a human message. */
export interface RejectedItem {
  ref: string;
  code: string;
  message: string;
}

export interface ParsedRequest {
  items: PetitionDraft[];
  rejected: RejectedItem[];
}

export type ItemOutcome =
  | { ref: string; status: 'accepted'; petitionId: string }
  | { ref: string; status: 'rejected'; code: string; message: string };

export interface ChannelReply {
  status: number;
  contentType: string;
  body: string;
}

/**
 * A channel provider. Stateless: it verifies and parses requests and renders replies, and never
 * publishes, deduplicates or classifies. Adding a provider = a folder with its adapter, spec and
 * fixtures + one line in channels.module.ts.
 */
export interface ChannelAdapter {
  /** Mounted at `POST /channels/<route>`, e.g. `sms/twilio`. */
  readonly route: string;
  readonly channel: Channel;
  readonly provider: string;
  /** Checks the sender's credentials over the raw request; throws a ChannelAuthError. */
  verify(request: InboundRequest): void;
  /** Pure: no I/O, no clock. Throws ChannelRequestError when the request as a whole is unusable. */
  parse(request: InboundRequest): ParsedRequest;
  /**
   * Renders the answer once every item is durable (or refused). Outcomes come in the order of
   * `parse`'s items, then its rejections; intake may refuse an item the adapter passed
   * (`invalid-petition`: the normalizer would dead-letter it), and a request of one item that
   * was refused is answered 400 by the ingress without calling `reply`.
   */
  reply(outcomes: ItemOutcome[], request: InboundRequest): ChannelReply;
}
