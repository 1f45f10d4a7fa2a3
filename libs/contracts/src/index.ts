export { TOPICS, topicNames } from './topics';
export type { TopicName, TopicNames } from './topics';
export { CHANNELS, isChannel } from './channel';
export type { Channel } from './channel';
export type { Recipient } from './recipient';
export type { AttachmentMeta } from './attachment';
export { RAW_PETITION_SCHEMA } from './raw-petition';
export type { RawPetition, RawPetitioner } from './raw-petition';
export { PETITION_EVENT_SCHEMA } from './petition-event';
export type {
  PetitionEvent,
  PetitionEventType,
  Petitioner,
  PetitionUpdate,
  OfficialReply,
} from './petition-event';
export { trackingNumberFor, parseTrackingNumber, TRACKING_ALPHABET } from './tracking-number';
export {
  builtEventProblems,
  petitionEventProblems,
  isPetitionEvent,
  petitionEventSchema,
  rawPetitionProblems,
  isRawPetition,
  rawPetitionSchema,
} from './schema-validator';
export { DEAD_LETTER_SCHEMA } from './dead-letter';
export { CLUSTER_ALERT_SCHEMA } from './judgement';
export type { Judgement, ClusterAlert } from './judgement';
export type { DeadLetter } from './dead-letter';
