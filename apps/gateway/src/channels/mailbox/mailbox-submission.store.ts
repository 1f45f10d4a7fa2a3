import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_STATE, type GatewayState } from '../../state/gateway-state.port';

export interface KnownSubmission {
  petitionId: string;
  at: number;
  /** SubmissionIdentity.digest of the letter published (absent in records written before it). */
  digest?: string;
}

const NS = 'mailbox';

/**
 * Mailbox submissions already published, by submissionId or by content fingerprint, so a website
 * re-posting the same letter (to any replica) gets the same tracking number and no second event.
 * On the gateway's state port; written after the publish is durable. Fingerprints (`f:` keys)
 * expire with the duplicate window; submissionIds are kept: they are the sender's word.
 */
@Injectable()
export class MailboxSubmissionStore {
  constructor(@Inject(GATEWAY_STATE) private readonly state: GatewayState) {}

  get(key: string): Promise<KnownSubmission | undefined> {
    return this.state.get<KnownSubmission>(NS, key);
  }

  async put(key: string, value: KnownSubmission, windowMs: number): Promise<void> {
    const ttlMs = key.startsWith('f:') ? Math.max(1, windowMs) : undefined;
    await this.state.putAll(NS, [{ key, value, ttlMs }]);
  }

  /** Holds `key` across replicas while a letter is checked, published and remembered. */
  withLock<R>(key: string, task: () => Promise<R>): Promise<R> {
    return this.state.withLock(`${NS}:${key}`, task);
  }
}
