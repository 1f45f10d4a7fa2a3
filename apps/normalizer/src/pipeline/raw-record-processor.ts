import {
  CLUSTER_ALERT_SCHEMA,
  DEAD_LETTER_SCHEMA,
  builtEventProblems,
  rawPetitionProblems,
  type ClusterAlert,
  type DeadLetter,
  type PetitionEvent,
  type RawPetition,
  type TopicNames,
} from '@app/contracts';
import type { OutboundRecord } from '@app/kafka';
import type { ClaimStore } from '../state/claim-store';
import { buildPetitionEvent, type NormalizeOptions } from './petition-normalizer';
import type { JudgedPetition, PetitionJudge } from './petition-judge';

export interface RawRecord {
  /** `topic/partition@offset`: identifies the record for replay detection and dead letters. */
  position: string;
  value: Buffer | null;
  headers: Record<string, string>;
}

interface Pending {
  index: number;
  record: RawRecord;
  raw: RawPetition;
  event: PetitionEvent;
  headers: Record<string, string>;
}

export interface ProcessOutcome {
  kind: 'event' | 'replay' | 'dead-letter';
  out: OutboundRecord[];
  /** What the metrics count of an event (label values only, nothing personal). */
  judged?: { dedup: string; category: string; alert: boolean };
  /** A dead letter's reason. */
  reason?: string;
}

/**
 * The normalizer's per-record step: parse → validate → replay check → normalise → judge →
 * validate the event → petition.events.v1 (and a cluster alert when one is due), or
 * petition.dlq.v1 with the reason.
 */
export class RawRecordProcessor {
  constructor(
    private readonly options: NormalizeOptions,
    private readonly topics: TopicNames,
    private readonly claims: ClaimStore,
    private readonly judge: PetitionJudge,
  ) {}

  /** One record (tools, benchmarks); the consumer uses {@link processBatch}. */
  async process(record: RawRecord, now: Date): Promise<ProcessOutcome> {
    const [outcome] = await this.processBatch([record], now);
    return outcome as ProcessOutcome;
  }

  /**
   * The records of a fetch (one or more partitions' batches, each in order). Replay claims are
   * taken record by record (a retry inside the same fetch is still a replay); the judgement runs
   * once for all of them (one dedup store commit).
   */
  async processBatch(records: RawRecord[], now: Date): Promise<ProcessOutcome[]> {
    const outcomes: ProcessOutcome[] = new Array<ProcessOutcome>(records.length);
    const pending: Pending[] = [];
    for (const [index, record] of records.entries()) {
      const headers = pickHeaders(record.headers);
      const parsed = parseRaw(record);
      if ('reason' in parsed) {
        outcomes[index] = this.deadLetter(record, parsed.reason, parsed.detail, headers, now);
        continue;
      }
      const claimedBy = await this.claims.claim(parsed.raw.idempotencyKey, record.position);
      // Claimed by another record: a provider's retry of something already published. Claimed by
      // this very record: a re-read after a crash whose transaction never committed; process again.
      if (claimedBy !== null && claimedBy !== record.position) {
        outcomes[index] = { kind: 'replay', out: [] };
        continue;
      }
      const base = buildPetitionEvent(parsed.raw, now, this.options);
      pending.push({ index, record, raw: parsed.raw, event: base as PetitionEvent, headers });
    }
    const judged = await this.judge.judgeAll(pending);
    pending.forEach((p, i) => {
      const { judgement, clusterAlert } = judged[i] as JudgedPetition;
      outcomes[p.index] = this.publishable(p, { ...p.event, ...judgement }, clusterAlert, now);
    });
    return outcomes;
  }

  private publishable(
    p: Pending,
    event: PetitionEvent,
    clusterAlert: boolean,
    now: Date,
  ): ProcessOutcome {
    const problems = builtEventProblems(event);
    if (problems.length > 0) {
      return this.deadLetter(
        p.record,
        'invalid-event',
        problems.slice(0, 5).join('; '),
        p.headers,
        now,
      );
    }
    const out: OutboundRecord[] = [
      {
        topic: this.topics.events,
        key: event.petitionId,
        value: JSON.stringify(event),
        headers: p.headers,
      },
    ];
    if (clusterAlert && event.dedup) {
      const alert: ClusterAlert = {
        schema: CLUSTER_ALERT_SCHEMA,
        clusterId: event.dedup.clusterId,
        size: event.dedup.clusterSize,
        petitionId: event.petitionId,
        district: event.locality.district,
        category: event.classification.category,
        raisedAt: now.toISOString(),
      };
      out.push({
        topic: this.topics.clusters,
        key: alert.clusterId,
        value: JSON.stringify(alert),
        headers: p.headers,
      });
    }
    return {
      kind: 'event',
      out,
      judged: {
        dedup: event.dedup?.outcome ?? 'none',
        category: event.classification.category,
        alert: clusterAlert,
      },
    };
  }

  private deadLetter(
    record: RawRecord,
    reason: string,
    detail: string,
    headers: Record<string, string>,
    now: Date,
  ): ProcessOutcome {
    const letter: DeadLetter = {
      schema: DEAD_LETTER_SCHEMA,
      reason,
      detail,
      source: record.position,
      failedAt: now.toISOString(),
      payloadBase64: (record.value ?? Buffer.alloc(0)).toString('base64'),
    };
    return {
      kind: 'dead-letter',
      reason,
      out: [
        {
          topic: this.topics.deadLetters,
          key: record.position,
          value: JSON.stringify(letter),
          headers: { ...headers, reason },
        },
      ],
    };
  }
}

function parseRaw(record: RawRecord): { raw: RawPetition } | { reason: string; detail: string } {
  if (!record.value || record.value.length === 0)
    return { reason: 'empty-value', detail: 'record has no value' };
  let raw: unknown;
  try {
    raw = JSON.parse(record.value.toString('utf8'));
  } catch {
    return { reason: 'invalid-json', detail: 'value is not JSON' };
  }
  const problems = rawPetitionProblems(raw);
  if (problems.length > 0)
    return { reason: 'invalid-raw-petition', detail: problems.slice(0, 5).join('; ') };
  return { raw: raw as RawPetition };
}

function pickHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const id = headers['correlation-id'];
  if (id) out['correlation-id'] = id;
  return out;
}
