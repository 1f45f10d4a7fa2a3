import { Controller, Get, Header, ServiceUnavailableException } from '@nestjs/common';
import { NormalizerMetrics } from './normalizer.metrics';
import { NormalizerStatus, type StoreHealth } from './normalizer.status';

export interface NormalizerHealth {
  status: 'ok' | 'error';
  consumer: {
    state: string;
    lastCommitAt: string | null;
    /** While the newest batch attempt failed: since when, attempts in a row, the newest error. */
    failing?: { since: string; attempts: number; reason: string };
  };
  dedupStore: StoreHealth;
}

/** The normalizer's only HTTP surface: for orchestrators and Prometheus, not for citizens. */
@Controller()
export class OpsController {
  constructor(
    private readonly status: NormalizerStatus,
    private readonly metrics: NormalizerMetrics,
  ) {}

  /**
   * 200 while the consumer is in its group, its newest batch went through and the dedup store
   * answers; 503 (same body) while the consumer starts, restarts after a crash or has stopped,
   * its batches fail (a store that answers pings but cannot write), or the store (Redis, shared by
   * every instance) does not answer within a second: a normalizer that silently stopped
   * publishing delays every petition.
   */
  @Get('health')
  async health(): Promise<NormalizerHealth> {
    const dedupStore = await this.status.probeStore();
    const failing = this.status.failing;
    const ok = this.status.consuming && dedupStore.ok && failing === null;
    const body: NormalizerHealth = {
      status: ok ? 'ok' : 'error',
      consumer: {
        state: this.status.state,
        lastCommitAt: this.status.lastCommitAt?.toISOString() ?? null,
        ...(failing && {
          failing: { ...failing, since: failing.since.toISOString() },
        }),
      },
      dedupStore,
    };
    if (!ok) throw new ServiceUnavailableException(body);
    return body;
  }

  /** Prometheus text format. */
  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
