import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Database, RootDatabase } from 'lmdb';
import { GATEWAY_ENV } from '../../config/tokens';
import type { GatewayEnv } from '../../config/gateway.env';
import { openStateDb } from '../../state/state-db';

export interface KnownSubmission {
  petitionId: string;
  at: number;
  /** SubmissionIdentity.digest of the letter published (absent in records written before it). */
  digest?: string;
}

/**
 * Mailbox submissions already published, by submissionId or by content fingerprint, so a website
 * re-posting the same letter gets the same tracking number and no second event (LMDB under
 * GATEWAY_STATE_DIR/mailbox). Written after the publish is durable.
 */
@Injectable()
export class MailboxSubmissionStore implements OnModuleDestroy {
  private readonly root: RootDatabase;
  private readonly seen: Database<KnownSubmission, string>;

  constructor(@Inject(GATEWAY_ENV) env: GatewayEnv) {
    this.root = openStateDb(env, 'mailbox');
    this.seen = this.root.openDB({ name: 'submissions', encoding: 'msgpack' });
  }

  get(key: string): KnownSubmission | undefined {
    return this.seen.get(key);
  }

  async put(key: string, value: KnownSubmission): Promise<void> {
    await this.seen.put(key, value);
  }

  /** Forgets fingerprints older than `before` (submissionIds are kept: they are the sender's word). */
  async prune(before: number): Promise<void> {
    for (const { key, value } of this.seen.getRange({ start: 'f:', end: 'f;' })) {
      if (value.at < before) await this.seen.remove(key);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.root.close();
  }
}
