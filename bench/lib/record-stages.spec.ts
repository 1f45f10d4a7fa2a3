import { NormalizerMetrics } from '../../apps/normalizer/src/ops/normalizer.metrics';
import { NormalizerStatus } from '../../apps/normalizer/src/ops/normalizer.status';
import { parseStageTotals, pooledSplit, stageSplit, type StageSplit } from './record-stages';

/** The text the normalizer's /metrics serves after committing batches with these timings. */
async function metricsAfter(
  batches: { producedAt: number[]; handedAt: number }[],
): Promise<string> {
  const status = new NormalizerStatus();
  status.store = { kind: 'lmdb', ping: () => Promise.resolve() };
  const metrics = new NormalizerMetrics(status);
  for (const { producedAt, handedAt } of batches)
    metrics.committed([], 0.01, {
      producedAt,
      stages: {
        handedAt,
        groupStartedAt: handedAt + 2,
        judgedAt: handedAt + 12,
        claimedAt: handedAt + 14,
        committedAt: handedAt + 20,
      },
    });
  return metrics.registry.metrics();
}

describe('the bench reading the normalizer’s stage metrics', () => {
  it('parses what the normalizer serves and splits the records between two readings', async () => {
    const before = parseStageTotals(await metricsAfter([{ producedAt: [1000], handedAt: 1100 }]));
    expect(before.records).toBe(1);
    const after = parseStageTotals(
      await metricsAfter([
        { producedAt: [1000], handedAt: 1100 },
        { producedAt: [5000, 5010], handedAt: 5030 },
      ]),
    );
    const split = stageSplit(before, after);
    // The two later records: fetch 30 and 20 ms, then 2 / 10 / 2 / 6 ms each.
    expect(split.records).toBe(2);
    expect(split.stageMeanMs.fetch).toBeCloseTo(25, 6);
    expect(split.stageMeanMs.queue).toBeCloseTo(2, 6);
    expect(split.stageMeanMs.judge).toBeCloseTo(10, 6);
    expect(split.stageMeanMs.claims).toBeCloseTo(2, 6);
    expect(split.stageMeanMs.transaction).toBeCloseTo(6, 6);
    expect(split.meanMs).toBeCloseTo(45, 6);
  });

  it('pools runs weighted by their records', () => {
    const run = (records: number, ms: number): StageSplit => ({
      records,
      meanMs: ms,
      stageMeanMs: { fetch: ms, queue: 0, judge: 0, claims: 0, transaction: 0 },
    });
    const pooled = pooledSplit([run(1, 10), run(3, 30)]);
    expect(pooled.records).toBe(4);
    expect(pooled.meanMs).toBeCloseTo(25, 9);
    expect(pooled.stageMeanMs.fetch).toBeCloseTo(25, 9);
  });
});
