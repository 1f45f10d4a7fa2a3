import type { CountryCode } from 'libphonenumber-js';
import {
  DEAD_LETTER_SCHEMA,
  petitionEventProblems,
  rawPetitionProblems,
  type DeadLetter,
  type RawPetition,
  type TopicNames,
} from '@app/contracts';
import type { OutboundRecord } from '@app/kafka';
import { buildPetitionEvent } from './petition-normalizer';

export interface RawRecord {
  /** `topic/partition@offset`: identifies the record for replay detection and dead letters. */
  position: string;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** What one raw record turns into: records to publish, and a replay claim to persist. */
export interface ProcessOutcome {
  kind: 'event' | 'replay' | 'dead-letter';
  out: OutboundRecord[];
  claim?: { key: string; position: string };
}

/** Who first claimed an idempotency key (see ReplayStore), including claims of this batch. */
export type ClaimLookup = (key: string) => string | null;

/**
 * The normalizer's per-record step: parse → validate → normalise → validate the event → route
 * to petition.events.v1, or to petition.dlq.v1 with the reason. Pure apart from the clock.
 */
export class RawRecordProcessor {
  constructor(
    private readonly phoneRegion: CountryCode,
    private readonly topics: TopicNames,
  ) {}

  process(record: RawRecord, owner: ClaimLookup, now: Date): ProcessOutcome {
    const headers = pickHeaders(record.headers);
    if (!record.value || record.value.length === 0) {
      return this.deadLetter(record, 'empty-value', 'record has no value', headers);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(record.value.toString('utf8'));
    } catch {
      return this.deadLetter(record, 'invalid-json', 'value is not JSON', headers);
    }
    const rawProblems = rawPetitionProblems(raw);
    if (rawProblems.length > 0) {
      return this.deadLetter(
        record,
        'invalid-raw-petition',
        rawProblems.slice(0, 5).join('; '),
        headers,
      );
    }
    const petition = raw as RawPetition;
    const claimedBy = owner(petition.idempotencyKey);
    if (claimedBy !== null && claimedBy !== record.position) return { kind: 'replay', out: [] };
    const event = buildPetitionEvent(petition, now, this.phoneRegion);
    const eventProblems = petitionEventProblems(event);
    if (eventProblems.length > 0) {
      return this.deadLetter(
        record,
        'invalid-event',
        eventProblems.slice(0, 5).join('; '),
        headers,
      );
    }
    return {
      kind: 'event',
      out: [
        { topic: this.topics.events, key: event.petitionId, value: JSON.stringify(event), headers },
      ],
      claim: { key: petition.idempotencyKey, position: record.position },
    };
  }

  private deadLetter(
    record: RawRecord,
    reason: string,
    detail: string,
    headers: Record<string, string>,
  ): ProcessOutcome {
    const letter: DeadLetter = {
      schema: DEAD_LETTER_SCHEMA,
      reason,
      detail,
      source: record.position,
      failedAt: new Date().toISOString(),
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
