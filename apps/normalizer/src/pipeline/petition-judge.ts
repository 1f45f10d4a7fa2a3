import type { CategoryPipeline, IntentClassifier } from '@app/classify';
import type { Judgement, PetitionEvent, RawPetition } from '@app/contracts';
import type { DedupEngine, DedupInput, DedupVerdict } from '@app/dedup';
import { routePetition, type RoutingConfig } from '@app/routing';
import { detectScript, matchText } from '@app/text';

export interface PetitionJudgeDeps {
  category: CategoryPipeline;
  intent: IntentClassifier;
  routing: RoutingConfig;
  dedup: DedupEngine;
}

export interface JudgedPetition {
  judgement: Judgement;
  clusterAlert: boolean;
}

interface Prepared {
  partial: Omit<Judgement, 'dedup'>;
  dedupInput: DedupInput | null;
}

/**
 * The normalizer's judgement of petitions: script, category and intent, locality, urgency,
 * responsible unit, deadlines, and duplicate / repeat / same-issue grouping. All pure libs; only
 * the dedup engine keeps state.
 */
export class PetitionJudge {
  constructor(private readonly deps: PetitionJudgeDeps) {}

  /** Judges a batch (one Kafka batch) in order, with one dedup store commit for all of it. */
  async judgeAll(items: { raw: RawPetition; event: PetitionEvent }[]): Promise<JudgedPetition[]> {
    const prepared = items.map(({ raw, event }) => this.prepare(raw, event));
    const inputs = prepared.flatMap((p) => (p.dedupInput ? [p.dedupInput] : []));
    const verdicts = inputs.length > 0 ? await this.deps.dedup.judgeBatch(inputs) : [];
    let next = 0;
    return prepared.map((p) => this.complete(p, p.dedupInput ? (verdicts[next++] ?? null) : null));
  }

  /** Everything but dedup, which needs the store. Pure. */
  private prepare(raw: RawPetition, event: PetitionEvent): Prepared {
    const subject = event.subject ?? '';
    const match = matchText(`${subject}\n${event.body}`);
    const category = this.deps.category.classifyPetition(
      match,
      subject === '' ? '' : matchText(subject),
    );
    const intent = this.deps.intent.classifyMatchText(match);
    const receivedAt = new Date(raw.receivedAt);
    const routing = routePetition(
      {
        text: match,
        // Urgency reads sentences (negation stops at a comma, a gap at a full stop), so it gets the
        // text with its punctuation; locality reads the match text.
        sentences: `${subject}\n${event.body}`,
        channel: raw.channel,
        channelCounty: raw.recipient?.county ?? null,
        category: category.category,
        receivedAt,
      },
      this.deps.routing,
    );
    const partial: Omit<Judgement, 'dedup'> = {
      script: detectScript(`${subject}${raw.text}`),
      classification: {
        category: category.category,
        confidence: round(category.confidence),
        source: category.source,
        needsReview: category.needsReview,
        intent: intent.intent,
        intentConfidence: round(intent.confidence),
      },
      locality: {
        district: routing.locality.district,
        town: routing.locality.town,
        code: routing.locality.code,
        source: routing.locality.source,
        confidence: round(routing.locality.confidence),
      },
      urgency: {
        priority: routing.urgency.priority,
        flags: [...routing.urgency.flags],
        evidence: routing.urgency.evidence.map(({ flag, text }) => ({ flag, text })),
      },
      routing: { unit: routing.route.unit, rule: routing.route.rule },
      deadlines: { ...routing.deadlines },
    };
    // Updates and replies belong to a petition that was already judged for duplicates.
    const dedupInput: DedupInput | null =
      raw.eventType === 'petition.received'
        ? {
            petitionId: raw.petitionId,
            identityKey: event.petitioner.identityKey,
            otherIdentityKeys: event.petitioner.otherIdentityKeys ?? [],
            matchText: match,
            locality: routing.locality.district,
            receivedAt,
          }
        : null;
    return { partial, dedupInput };
  }

  private complete(prepared: Prepared, verdict: DedupVerdict | null): JudgedPetition {
    return {
      clusterAlert: verdict?.clusterAlert ?? false,
      judgement: {
        ...prepared.partial,
        dedup: verdict
          ? {
              outcome: verdict.outcome,
              of: verdict.of,
              similarity: verdict.similarity === null ? null : round(verdict.similarity),
              clusterId: verdict.clusterId,
              clusterSize: verdict.clusterSize,
            }
          : null,
      },
    };
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
