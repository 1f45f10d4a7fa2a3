import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import {
  RAW_PETITION_SCHEMA,
  trackingNumberFor,
  type RawPetition,
  type TopicNames,
} from '@app/contracts';
import {
  PublishTimeoutError,
  PublisherClosedError,
  SpoolFullError,
  type RecordSink,
} from '@app/kafka';
import { RECORD_SINK, TOPIC_NAMES } from '../config/tokens';
import type { ItemOutcome, ParsedRequest, PetitionDraft } from '../channels/channel-adapter';
import { NotDurableError } from '../http/channel-errors';
import { edgeProblems, readableProblem } from './petition-edge.check';

/**
 * The one publish path every channel shares: stamps the tracking number and receive time on each
 * draft, publishes it to petition.raw.v1 and returns only once every item is durable. If any item
 * cannot be made durable in time the whole request fails with 503, so the sender retries; items
 * that did get through are harmless on retry because their idempotency key is the same.
 */
@Injectable()
export class IntakeService {
  constructor(
    @Inject(RECORD_SINK) private readonly sink: RecordSink,
    @Inject(TOPIC_NAMES) private readonly topics: TopicNames,
    private readonly log: PinoLogger,
  ) {
    log.setContext(IntakeService.name);
  }

  /**
   * Outcomes come in the order of `parsed.items` (outcome i is item i's), then `parsed.rejected`.
   * An item the normalizer would refuse (see edgeProblems) is rejected here with
   * `invalid-petition` and never published, so no sender gets a tracking number for a dead letter.
   */
  async accept(
    parsed: ParsedRequest,
    receivedAt: Date,
    correlationId: string,
  ): Promise<ItemOutcome[]> {
    const outcomes: ItemOutcome[] = [];
    const publishable: RawPetition[] = [];
    const refused: string[] = [];
    for (const draft of parsed.items) {
      const raw = this.toRaw(draft, receivedAt);
      const refusal = refusalOf(raw);
      if (!refusal) {
        publishable.push(raw);
        outcomes.push({ ref: draft.ref, status: 'accepted', petitionId: raw.petitionId });
        continue;
      }
      refused.push(refusal.message);
      outcomes.push({ ref: draft.ref, status: 'rejected', ...refusal });
    }
    try {
      await Promise.all(
        publishable.map((raw) =>
          this.sink.publish({
            topic: this.topics.raw,
            key: raw.petitionId,
            value: JSON.stringify(raw),
            headers: { 'correlation-id': correlationId, channel: raw.channel },
          }),
        ),
      );
    } catch (error) {
      // Kafka slow, down or shutting down is the sender's retry (503). Anything else is a bug
      // that still must not lose the item: 503 too, but logged at error with its cause.
      const level = isBrokerTrouble(error) ? 'warn' : 'error';
      this.log[level]({ err: error, items: publishable.length }, 'raw petitions not durable');
      throw new NotDurableError();
    }
    // Schema messages name fields and limits, never the values: safe to log.
    if (refused.length > 0) this.log.warn({ problems: refused }, 'petitions refused at the edge');
    this.log.info(
      {
        accepted: publishable.map((r) => r.petitionId),
        rejected: [
          ...outcomes.flatMap((o) => (o.status === 'rejected' ? [o.code] : [])),
          ...parsed.rejected.map((r) => r.code),
        ],
      },
      'petitions accepted',
    );
    for (const r of parsed.rejected)
      outcomes.push({ ref: r.ref, status: 'rejected', code: r.code, message: r.message });
    return outcomes;
  }

  /**
   * Why `accept` would refuse this draft, or null: for channels that must refuse a group of
   * records together (a board post with its replies) before publishing any of them.
   */
  refusal(draft: PetitionDraft, receivedAt: Date): { code: string; message: string } | null {
    return refusalOf(this.toRaw(draft, receivedAt));
  }

  private toRaw(draft: PetitionDraft, receivedAt: Date): RawPetition {
    const { ref: _ref, petitionKey, ...rest } = draft;
    return {
      schema: RAW_PETITION_SCHEMA,
      petitionId: trackingNumberFor(petitionKey ?? draft.idempotencyKey),
      receivedAt: receivedAt.toISOString(),
      eventType: 'petition.received',
      revision: 1,
      update: null,
      reply: null,
      ...rest,
    };
  }
}

function refusalOf(raw: RawPetition): { code: string; message: string } | null {
  const problems = edgeProblems(raw);
  if (problems.length === 0) return null;
  return {
    code: 'invalid-petition',
    message: problems.slice(0, 3).map(readableProblem).join('; '),
  };
}

function isBrokerTrouble(error: unknown): boolean {
  return (
    error instanceof PublishTimeoutError ||
    error instanceof PublisherClosedError ||
    error instanceof SpoolFullError ||
    (error instanceof Error && error.name.startsWith('KafkaJS'))
  );
}
