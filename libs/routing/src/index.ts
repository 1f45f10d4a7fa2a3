export { extractLocality } from './locality.extractor';
export type { Locality } from './locality.extractor';
export { assessUrgency } from './urgency.assessor';
export type { Urgency, UrgencyEvidence } from './urgency.assessor';
export { routeUnit } from './unit.router';
export type { UnitRoute } from './unit.router';
export { computeDeadlines } from './deadline.calculator';
export type { Deadlines } from './deadline.calculator';
export { routePetition } from './petition.routing';
export type { PetitionRouting, PetitionRoutingInput } from './petition.routing';

export { loadGazetteer, parseGazetteer } from './gazetteer.config';
export { chinaDivision } from './division.data';
export type { DivisionCounty, DivisionData, DivisionSource, DivisionTown } from './division.data';
export type {
  Gazetteer,
  GazetteerConfig,
  GazetteerDistrict,
  GazetteerTown,
} from './gazetteer.config';
export { loadUrgencyLexicon, parseUrgencyLexicon, PRIORITIES } from './urgency.config';
export type {
  Priority,
  UrgencyFlag,
  UrgencyLexicon,
  UrgencyLexiconConfig,
  UrgencyTerm,
} from './urgency.config';
export { loadRoutingTable, parseRoutingTable, CATEGORIES } from './routing-table.config';
export type { Category, CategoryRoute, RoutingTable } from './routing-table.config';
export { loadDeadlinePolicy, parseDeadlinePolicy, CHANNELS, DAY_KINDS } from './deadline.config';
export type { DayKind, DeadlinePolicy, DeadlineRule, RoutingChannel } from './deadline.config';
export { loadMatterLexicon, parseMatterLexicon, MAX_MATTER_GROUPS } from './matter.config';
export type { MatterGroup, MatterLexicon } from './matter.config';
export { loadRoutingConfig, ROUTING_CONFIG_FILES } from './routing-config.loader';
export type { RoutingConfig } from './routing-config.loader';
export { RoutingConfigError } from './routing-config.error';
