import { ServiceUnavailableException } from '@nestjs/common';
import type { BatchFailure, ConsumerState } from '../consumer/transactional-normalizer';
import { NormalizerMetrics } from './normalizer.metrics';
import { NormalizerStatus, type StoreSource } from './normalizer.status';
import { OpsController } from './ops.controller';

describe('OpsController', () => {
  const answering: StoreSource = { kind: 'lmdb', ping: () => Promise.resolve() };

  function controllerIn(
    state: ConsumerState | null,
    lastCommitAt: Date | null = null,
    store: StoreSource | null = answering,
    failing: BatchFailure | null = null,
  ) {
    const status = new NormalizerStatus();
    if (state !== null) status.source = { state, lastCommitAt, failing };
    status.store = store;
    const metrics = new NormalizerMetrics(status);
    return { controller: new OpsController(status, metrics), metrics };
  }

  /** The 503 body, or fails when health answered 200. */
  async function unhealthy(controller: OpsController): Promise<unknown> {
    const thrown = await controller.health().then(
      () => null,
      (e: unknown) => e,
    );
    expect(thrown).toBeInstanceOf(ServiceUnavailableException);
    return (thrown as ServiceUnavailableException).getResponse();
  }

  it('is healthy while consuming with its store answering', async () => {
    const at = new Date('2026-11-24T08:00:00Z');
    await expect(controllerIn('consuming', at).controller.health()).resolves.toEqual({
      status: 'ok',
      consumer: { state: 'consuming', lastCommitAt: '2026-11-24T08:00:00.000Z' },
      dedupStore: { kind: 'lmdb', ok: true },
    });
  });

  it.each([[null], ['starting'], ['restarting'], ['stopped']] as const)(
    'answers 503 with the state when the consumer is %s',
    async (state) => {
      await expect(unhealthy(controllerIn(state).controller)).resolves.toEqual({
        status: 'error',
        consumer: { state: state ?? 'starting', lastCommitAt: null },
        dedupStore: { kind: 'lmdb', ok: true },
      });
    },
  );

  it('answers 503 with the reason when the dedup store fails, though consuming', async () => {
    const down: StoreSource = {
      kind: 'redis',
      ping: () => Promise.reject(new Error('redis connection reconnecting')),
    };
    await expect(unhealthy(controllerIn('consuming', null, down).controller)).resolves.toEqual({
      status: 'error',
      consumer: { state: 'consuming', lastCommitAt: null },
      dedupStore: { kind: 'redis', ok: false, reason: 'redis connection reconnecting' },
    });
  });

  it('answers 503 with the newest error while batches fail, though consuming with the store up', async () => {
    const at = new Date('2026-11-24T08:00:00Z');
    const failing: BatchFailure = {
      since: new Date('2026-11-24T08:01:00Z'),
      attempts: 4,
      reason: 'ReplyError: NOREPLICAS Not enough good replicas to write.',
    };
    await expect(
      unhealthy(controllerIn('consuming', at, answering, failing).controller),
    ).resolves.toEqual({
      status: 'error',
      consumer: {
        state: 'consuming',
        lastCommitAt: '2026-11-24T08:00:00.000Z',
        failing: {
          since: '2026-11-24T08:01:00.000Z',
          attempts: 4,
          reason: 'ReplyError: NOREPLICAS Not enough good replicas to write.',
        },
      },
      dedupStore: { kind: 'lmdb', ok: true },
    });
  });

  it('answers 503 within the timeout when the store hangs, and before the store is open', async () => {
    const hanging: StoreSource = { kind: 'redis', ping: () => new Promise(() => undefined) };
    const status = new NormalizerStatus();
    status.store = hanging;
    const started = Date.now();
    await expect(status.probeStore(50)).resolves.toEqual({
      kind: 'redis',
      ok: false,
      reason: 'timeout',
    });
    expect(Date.now() - started).toBeLessThan(900);
    expect(await unhealthy(controllerIn('consuming', null, null).controller)).toMatchObject({
      dedupStore: { kind: 'none', ok: false, reason: 'not open yet' },
    });
  });

  it('counts committed outcomes and reindex runs', async () => {
    const { controller, metrics } = controllerIn('consuming');
    metrics.committed(
      [
        { kind: 'event', out: [], judged: { dedup: 'new', category: '城乡建设', alert: true } },
        { kind: 'replay', out: [] },
        { kind: 'dead-letter', out: [], reason: 'invalid-json' },
      ],
      0.02,
      {
        // Two records timed, one without a timestamp (left out).
        producedAt: [1000, 1500, 0],
        stages: {
          handedAt: 2000,
          groupStartedAt: 2010,
          judgedAt: 2030,
          claimedAt: 2035,
          committedAt: 2050,
        },
      },
    );
    metrics.reindexed(7);
    metrics.batchFailed();
    metrics.batchFailed();
    const text = await controller.scrape();
    expect(text).toContain('petition_normalizer_records_total{outcome="event"} 1');
    expect(text).toContain('petition_normalizer_records_total{outcome="replay"} 1');
    expect(text).toContain('petition_normalizer_events_total{dedup="new",category="城乡建设"} 1');
    expect(text).toContain('petition_normalizer_dead_letters_total{reason="invalid-json"} 1');
    expect(text).toContain('petition_normalizer_cluster_alerts_total 1');
    expect(text).toContain('petition_normalizer_dedup_reindex_total 1');
    expect(text).toContain('petition_normalizer_dedup_pruned_records_total 7');
    expect(text).toContain('petition_normalizer_batch_failures_total 2');
    expect(text).toContain('petition_normalizer_consuming 1');
    expect(text).toContain('petition_normalizer_dedup_store_up 1');
    expect(text).toContain('petition_normalizer_record_delay_seconds_count 2');
    // (2050 − 1000) + (2050 − 1500) ms
    expect(text).toContain('petition_normalizer_record_delay_seconds_sum 1.6');
    expect(text).toContain('petition_normalizer_record_stage_seconds_sum{stage="fetch"} 1.5');
    expect(text).toContain('petition_normalizer_record_stage_seconds_sum{stage="judge"} 0.04');
    expect(text).toContain('petition_normalizer_record_stage_seconds_count{stage="queue"} 2');
  });

  it('reports the store down in the metrics too', async () => {
    const down: StoreSource = { kind: 'lmdb', ping: () => Promise.reject(new Error('closed')) };
    const text = await controllerIn('consuming', null, down).controller.scrape();
    expect(text).toContain('petition_normalizer_dedup_store_up 0');
  });
});
