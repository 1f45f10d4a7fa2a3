import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import {
  RAW_PETITION_SCHEMA,
  trackingNumberFor,
  type RawPetition,
  type TopicNames,
} from '@app/contracts';
import type { RecordSink } from '@app/kafka';
import { RECORD_SINK, TOPIC_NAMES } from '../config/tokens';
import type { ItemOutcome, ParsedRequest, PetitionDraft } from '../channels/channel-adapter';
import { NotDurableError } from '../http/channel-errors';

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

  async accept(
    parsed: ParsedRequest,
    receivedAt: Date,
    correlationId: string,
  ): Promise<ItemOutcome[]> {
    const accepted = parsed.items.map((draft) => this.toRaw(draft, receivedAt));
    try {
      await Promise.all(
        accepted.map((raw) =>
          this.sink.publish({
            topic: this.topics.raw,
            key: raw.petitionId,
            value: JSON.stringify(raw),
            headers: { 'correlation-id': correlationId, channel: raw.channel },
          }),
        ),
      );
    } catch (error) {
      this.log.warn({ err: error, items: accepted.length }, 'raw petitions not durable');
      throw new NotDurableError();
    }
    this.log.info(
      { accepted: accepted.map((r) => r.petitionId), rejected: parsed.rejected.map((r) => r.code) },
      'petitions accepted',
    );
    const outcomes: ItemOutcome[] = parsed.items.map((draft, i) => ({
      ref: draft.ref,
      status: 'accepted',
      petitionId: accepted[i]?.petitionId ?? '',
    }));
    for (const r of parsed.rejected)
      outcomes.push({ ref: r.ref, status: 'rejected', code: r.code, message: r.message });
    return outcomes;
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
