import { Injectable } from '@nestjs/common';
import type { ConsumerState } from '../consumer/transactional-normalizer';

/** What the health check and the metrics read of the consumer, once the module has started it. */
@Injectable()
export class NormalizerStatus {
  source: { state: ConsumerState; lastCommitAt: Date | null } | null = null;

  get state(): ConsumerState {
    return this.source?.state ?? 'starting';
  }

  get consuming(): boolean {
    return this.state === 'consuming';
  }

  get lastCommitAt(): Date | null {
    return this.source?.lastCommitAt ?? null;
  }
}
