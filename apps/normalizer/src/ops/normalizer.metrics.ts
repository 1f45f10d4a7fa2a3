import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ProcessOutcome } from '../pipeline/raw-record-processor';
import { RECORD_STAGES, splitRecord, type BatchTiming } from '../consumer/record-timing';
import { NormalizerStatus } from './normalizer.status';

const DELAY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Prometheus metrics of the normalizer, counted after each batch commits (a batch re-read after an
 * aborted transaction counts once). A registry of its own, so tests can boot several normalizers.
 * Labels are outcomes, reasons and categories: nothing about a petitioner.
 */
@Injectable()
export class NormalizerMetrics {
  readonly registry = new Registry();
  private readonly records = new Counter({
    name: 'petition_normalizer_records_total',
    help: 'Raw records by outcome (event, replay, dead-letter)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly judged = new Counter({
    name: 'petition_normalizer_events_total',
    help: 'Published petition events by dedup outcome (new, duplicate, repeat) and category',
    labelNames: ['dedup', 'category'] as const,
    registers: [this.registry],
  });
  private readonly deadLetters = new Counter({
    name: 'petition_normalizer_dead_letters_total',
    help: 'Dead-lettered raw records by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly alerts = new Counter({
    name: 'petition_normalizer_cluster_alerts_total',
    help: 'Same-issue cluster alerts raised on petition.clusters.v1',
    registers: [this.registry],
  });
  private readonly batchSeconds = new Histogram({
    name: 'petition_normalizer_batch_seconds',
    help: 'Time from a fetched batch to its committed transaction',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  /**
   * Per committed record: produced (its Kafka timestamp, ≈ the sender's ack) → its event
   * committed, and that time split into consecutive stages whose sums add up to the total's sum:
   * fetch (produced → handed to the normalizer), queue (waiting for the group before it), judge,
   * claims, transaction. Tells an operator whether a slow pipe is the broker, the dedup store or
   * the commit.
   */
  private readonly recordDelay = new Histogram({
    name: 'petition_normalizer_record_delay_seconds',
    help: 'Per record: from its Kafka timestamp (the gateway producing it) to its event committed',
    buckets: DELAY_BUCKETS,
    registers: [this.registry],
  });
  private readonly recordStage = new Histogram({
    name: 'petition_normalizer_record_stage_seconds',
    help: 'Per record: that delay split into fetch, queue, judge, claims and transaction',
    labelNames: ['stage'] as const,
    buckets: DELAY_BUCKETS,
    registers: [this.registry],
  });
  private readonly batchFailures = new Counter({
    name: 'petition_normalizer_batch_failures_total',
    help: 'Batch attempts that failed and will be read again (store or broker errors)',
    registers: [this.registry],
  });
  private readonly reindexRuns = new Counter({
    name: 'petition_normalizer_dedup_reindex_total',
    help: 'Dedup index rebuilds while running (retention of the embedded store)',
    registers: [this.registry],
  });
  private readonly prunedRecords = new Counter({
    name: 'petition_normalizer_dedup_pruned_records_total',
    help: 'Dedup records past the horizon deleted while running',
    registers: [this.registry],
  });

  constructor(status: NormalizerStatus) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'petition_normalizer_consuming',
      help: '1 while the consumer is in its group, 0 while starting, restarting or stopped',
      registers: [this.registry],
      collect() {
        this.set(status.consuming ? 1 : 0);
      },
    });
    new Gauge({
      name: 'petition_normalizer_dedup_store_up',
      help: '1 when the dedup store (LMDB, or Redis when shared) answered a ping at this scrape',
      registers: [this.registry],
      async collect() {
        this.set((await status.probeStore()).ok ? 1 : 0);
      },
    });
    new Gauge({
      name: 'petition_normalizer_last_commit_timestamp_seconds',
      help: 'When the last batch committed (0: none yet)',
      registers: [this.registry],
      collect() {
        this.set((status.lastCommitAt?.getTime() ?? 0) / 1000);
      },
    });
  }

  committed(
    outcomes: readonly ProcessOutcome[],
    seconds: number,
    timing?: { producedAt: readonly number[]; stages: BatchTiming },
  ): void {
    this.batchSeconds.observe(seconds);
    if (timing) this.recordTimes(timing.producedAt, timing.stages);
    for (const o of outcomes) {
      this.records.inc({ outcome: o.kind });
      if (o.judged) {
        this.judged.inc({ dedup: o.judged.dedup, category: o.judged.category });
        if (o.judged.alert) this.alerts.inc();
      }
      if (o.reason !== undefined) this.deadLetters.inc({ reason: o.reason });
    }
  }

  private recordTimes(producedAt: readonly number[], stages: BatchTiming): void {
    for (const at of producedAt) {
      // A record without a usable timestamp is left out rather than counted as 50 years late.
      if (!(at > 0)) continue;
      const split = splitRecord(at, stages);
      this.recordDelay.observe(split.total);
      for (const stage of RECORD_STAGES) this.recordStage.observe({ stage }, split[stage]);
    }
  }

  batchFailed(): void {
    this.batchFailures.inc();
  }

  reindexed(prunedRecords: number): void {
    this.reindexRuns.inc();
    this.prunedRecords.inc(prunedRecords);
  }
}
