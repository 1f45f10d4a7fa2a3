import type { DedupStore } from '@app/dedup';
import type { ReplayStore } from './replay-store';

/**
 * Who first claimed an idempotency key, by raw-record position. `claim` returns the owner if the
 * key is already claimed, else records this position (durable by `flush`) and returns null.
 */
export interface ClaimStore {
  claim(key: string, position: string): Promise<string | null>;
  /** Makes this batch's claims durable; called before the Kafka transaction commits. */
  flush(): Promise<void>;
}

/** Embedded default: claims of a batch are buffered and committed in one LMDB transaction. */
export class LmdbClaimStore implements ClaimStore {
  private pending = new Map<string, string>();

  constructor(private readonly replay: ReplayStore) {}

  claim(key: string, position: string): Promise<string | null> {
    const owner = this.pending.get(key) ?? this.replay.owner(key);
    if (owner === null) this.pending.set(key, position);
    return Promise.resolve(owner);
  }

  async flush(): Promise<void> {
    const claims = this.pending;
    this.pending = new Map();
    await this.replay.claimAll(claims);
  }
}

/**
 * Shared (REDIS_URL): every instance sees every claim at once; each claim is atomic and expires
 * after `ttlSeconds` (the dedup horizon), as the embedded store's claims do.
 */
export class SharedClaimStore implements ClaimStore {
  constructor(
    private readonly store: DedupStore,
    private readonly ttlSeconds: number,
  ) {}

  claim(key: string, position: string): Promise<string | null> {
    return this.store.claimKey(`replay:${key}`, position, this.ttlSeconds);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }
}
