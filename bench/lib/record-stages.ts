/**
 * The normalizer's own split of each record's delay (petition_normalizer_record_stage_seconds,
 * see apps/normalizer/src/consumer/record-timing.ts), read from its /metrics before and after a
 * run: the mean per committed record of each stage over that run only.
 */
export const STAGES = ['fetch', 'queue', 'judge', 'claims', 'transaction'] as const;

export interface StageTotals {
  records: number;
  totalSeconds: number;
  stageSeconds: Record<(typeof STAGES)[number], number>;
}

export interface StageSplit {
  records: number;
  /** Mean ms per record, produced → committed. */
  meanMs: number;
  /** Mean ms per record in each stage; they add up to meanMs. */
  stageMeanMs: Record<(typeof STAGES)[number], number>;
}

function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

export function parseStageTotals(metrics: string): StageTotals {
  const stageSeconds = Object.fromEntries(
    STAGES.map((s) => [
      s,
      sample(metrics, `petition_normalizer_record_stage_seconds_sum{stage="${s}"}`),
    ]),
  ) as StageTotals['stageSeconds'];
  return {
    records: sample(metrics, 'petition_normalizer_record_delay_seconds_count'),
    totalSeconds: sample(metrics, 'petition_normalizer_record_delay_seconds_sum'),
    stageSeconds,
  };
}

export async function readStageTotals(metricsUrl: string): Promise<StageTotals> {
  const res = await fetch(metricsUrl);
  if (!res.ok) throw new Error(`${metricsUrl}: HTTP ${res.status}`);
  return parseStageTotals(await res.text());
}

/** The split of the records committed between two readings. */
export function stageSplit(before: StageTotals, after: StageTotals): StageSplit {
  const records = after.records - before.records;
  const mean = (seconds: number): number => (records > 0 ? (seconds * 1000) / records : NaN);
  return {
    records,
    meanMs: mean(after.totalSeconds - before.totalSeconds),
    stageMeanMs: Object.fromEntries(
      STAGES.map((s) => [s, mean(after.stageSeconds[s] - before.stageSeconds[s])]),
    ) as StageSplit['stageMeanMs'],
  };
}

/** Several runs' splits as one: means weighted by each run's records. */
export function pooledSplit(splits: StageSplit[]): StageSplit {
  const records = splits.reduce((a, s) => a + s.records, 0);
  const mean = (pick: (s: StageSplit) => number): number =>
    records > 0 ? splits.reduce((a, s) => a + pick(s) * s.records, 0) / records : NaN;
  return {
    records,
    meanMs: mean((s) => s.meanMs),
    stageMeanMs: Object.fromEntries(
      STAGES.map((k) => [k, mean((s) => s.stageMeanMs[k])]),
    ) as StageSplit['stageMeanMs'],
  };
}
