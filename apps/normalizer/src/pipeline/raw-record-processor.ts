import {
  CLUSTER_ALERT_SCHEMA,
  DEAD_LETTER_SCHEMA,
  petitionEventProblems,
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
import type { PetitionJudge } from './petition-judge';

export interface RawRecord {
  /** `topic/partition@offset`: identifies the record for replay detection and dead letters. */
  position: string;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface ProcessOutcome {
  kind: 'event' | 'replay' | 'dead-letter';
  out: OutboundRecord[];
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

  async process(record: RawRecord, now: Date): Promise<ProcessOutcome> {
    const headers = pickHeaders(record.headers);
    if (!record.value || record.value.length === 0) {
      return this.deadLetter(record, 'empty-value', 'record has no value', headers, now);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(record.value.toString('utf8'));
    } catch {
      return this.deadLetter(record, 'invalid-json', 'value is not JSON', headers, now);
    }
    const rawProblems = rawPetitionProblems(raw);
    if (rawProblems.length > 0) {
      return this.deadLetter(
        record,
        'invalid-raw-petition',
        rawProblems.slice(0, 5).join('; '),
        headers,
        now,
      );
    }
    const petition = raw as RawPetition;
    const claimedBy = await this.claims.claim(petition.idempotencyKey, record.position);
    // Claimed by another record: a provider's retry of something already published. Claimed by
    // this very record: a re-read after a crash whose transaction never committed; process again.
    if (claimedBy !== null && claimedBy !== record.position) return { kind: 'replay', out: [] };
    const base = buildPetitionEvent(petition, now, this.options);
    const { judgement, clusterAlert } = await this.judge.judge(petition, base as PetitionEvent);
    const event: PetitionEvent = { ...base, ...judgement };
    const eventProblems = petitionEventProblems(event);
    if (eventProblems.length > 0) {
      return this.deadLetter(
        record,
        'invalid-event',
        eventProblems.slice(0, 5).join('; '),
        headers,
        now,
      );
    }
    const out: OutboundRecord[] = [
      { topic: this.topics.events, key: event.petitionId, value: JSON.stringify(event), headers },
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
        headers,
      });
    }
    return { kind: 'event', out };
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

function pickHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const id = headers['correlation-id'];
  if (id) out['correlation-id'] = id;
  return out;
}
