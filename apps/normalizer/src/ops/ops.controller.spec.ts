import { ServiceUnavailableException } from '@nestjs/common';
import type { ConsumerState } from '../consumer/transactional-normalizer';
import { NormalizerMetrics } from './normalizer.metrics';
import { NormalizerStatus } from './normalizer.status';
import { OpsController } from './ops.controller';

describe('OpsController', () => {
  function controllerIn(state: ConsumerState | null, lastCommitAt: Date | null = null) {
    const status = new NormalizerStatus();
    if (state !== null) status.source = { state, lastCommitAt };
    const metrics = new NormalizerMetrics(status);
    return { controller: new OpsController(status, metrics), metrics };
  }

  it('is healthy while consuming', () => {
    const at = new Date('2026-11-24T08:00:00Z');
    expect(controllerIn('consuming', at).controller.health()).toEqual({
      status: 'ok',
      consumer: { state: 'consuming', lastCommitAt: '2026-11-24T08:00:00.000Z' },
    });
  });

  it.each([[null], ['starting'], ['restarting'], ['stopped']] as const)(
    'answers 503 with the state when the consumer is %s',
    (state) => {
      const { controller } = controllerIn(state);
      let thrown: unknown;
      try {
        controller.health();
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ServiceUnavailableException);
      expect((thrown as ServiceUnavailableException).getResponse()).toEqual({
        status: 'error',
        consumer: { state: state ?? 'starting', lastCommitAt: null },
      });
    },
  );

  it('counts committed outcomes and reindex runs', async () => {
    const { controller, metrics } = controllerIn('consuming');
    metrics.committed(
      [
        { kind: 'event', out: [], judged: { dedup: 'new', category: '城乡建设', alert: true } },
        { kind: 'replay', out: [] },
        { kind: 'dead-letter', out: [], reason: 'invalid-json' },
      ],
      0.02,
    );
    metrics.reindexed(7);
    const text = await controller.scrape();
    expect(text).toContain('petition_normalizer_records_total{outcome="event"} 1');
    expect(text).toContain('petition_normalizer_records_total{outcome="replay"} 1');
    expect(text).toContain('petition_normalizer_events_total{dedup="new",category="城乡建设"} 1');
    expect(text).toContain('petition_normalizer_dead_letters_total{reason="invalid-json"} 1');
    expect(text).toContain('petition_normalizer_cluster_alerts_total 1');
    expect(text).toContain('petition_normalizer_dedup_reindex_total 1');
    expect(text).toContain('petition_normalizer_dedup_pruned_records_total 7');
    expect(text).toContain('petition_normalizer_consuming 1');
  });
});
