import { Injectable } from '@nestjs/common';
import { withTimeout } from '@app/observability';
import type {
  BatchFailure,
  ConsumerState,
  TransactionalNormalizer,
} from '../consumer/transactional-normalizer';

/** The dedup store as the health check sees it. */
export interface StoreSource {
  kind: 'lmdb' | 'redis';
  ping(): Promise<void>;
}

export interface StoreHealth {
  kind: StoreSource['kind'] | 'none';
  ok: boolean;
  /** Why not, when not ok: 'timeout', 'not open yet' or the store's own reason. */
  reason?: string;
}

/** A probe slower than this counts as down: an orchestrator's probe must not hang on Redis. */
export const STORE_PROBE_TIMEOUT_MS = 1000;

/**
 * What the health check and the metrics read of the consumer and the dedup store, once the module
 * has started them.
 */
@Injectable()
export class NormalizerStatus {
  source: Pick<TransactionalNormalizer, 'state' | 'lastCommitAt' | 'failing'> | null = null;
  store: StoreSource | null = null;

  get state(): ConsumerState {
    return this.source?.state ?? 'starting';
  }

  get consuming(): boolean {
    return this.state === 'consuming';
  }

  get lastCommitAt(): Date | null {
    return this.source?.lastCommitAt ?? null;
  }

  /** Non-null while the newest batch attempt failed. */
  get failing(): BatchFailure | null {
    return this.source?.failing ?? null;
  }

  /** Pings the dedup store; every judgement needs it, so a consumer without it only crashes. */
  async probeStore(timeoutMs = STORE_PROBE_TIMEOUT_MS): Promise<StoreHealth> {
    const store = this.store;
    if (!store) return { kind: 'none', ok: false, reason: 'not open yet' };
    try {
      await withTimeout(store.ping(), timeoutMs, 'timeout');
      return { kind: store.kind, ok: true };
    } catch (err) {
      return { kind: store.kind, ok: false, reason: (err as Error).message };
    }
  }
}
