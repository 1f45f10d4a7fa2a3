import { computeDeadlines } from './deadline.calculator';
import { extractLocality } from './locality.extractor';
import { routeUnit } from './unit.router';
import { assessUrgency } from './urgency.assessor';
import type { Deadlines } from './deadline.calculator';
import type { RoutingChannel } from './deadline.config';
import type { Locality } from './locality.extractor';
import type { RoutingConfig } from './routing-config.loader';
import type { UnitRoute } from './unit.router';
import type { Urgency } from './urgency.assessor';

export interface PetitionRoutingInput {
  /** Normalised text (Simplified Chinese preferred; Traditional is tolerated). */
  readonly text: string;
  /**
   * The same text with its punctuation, for urgency (a negation ends at a comma, a gap at a full
   * stop); `text` when absent.
   */
  readonly sentences?: string;
  readonly channel: RoutingChannel;
  /** County of the receiving hotline number or mailbox, if the channel config names one. */
  readonly channelCounty: string | null;
  /** First-level category chosen by the classifier. */
  readonly category: string;
  readonly receivedAt: Date;
}

export interface PetitionRouting {
  readonly locality: Locality;
  readonly urgency: Urgency;
  readonly route: UnitRoute;
  readonly deadlines: Deadlines;
}

/** The whole routing step for one petition: locality, urgency, responsible unit and deadlines. */
export function routePetition(input: PetitionRoutingInput, config: RoutingConfig): PetitionRouting {
  const locality = extractLocality(input.text, input.channelCounty, config.gazetteer);
  return {
    locality,
    urgency: assessUrgency(input.sentences ?? input.text, config.urgency),
    route: routeUnit(input.category, locality.district, config.routing),
    deadlines: computeDeadlines(input.channel, input.receivedAt, config.deadlines),
  };
}
