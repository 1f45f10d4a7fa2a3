export { createKafka, parseBrokers } from './kafka-options';
export type { KafkaConnectionOptions } from './kafka-options';
export { ensureTopics } from './topic-admin';
export type { TopicSpec } from './topic-admin';
export { BatchingPublisher } from './batching-publisher';
export type { BatchingPublisherOptions } from './batching-publisher';
export type { OutboundRecord, RecordSink } from './outbound-record';
export { PublishTimeoutError, PublisherClosedError } from './publish-errors';
