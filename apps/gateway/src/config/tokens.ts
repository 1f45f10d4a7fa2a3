/** DI tokens for the gateway's injectable settings and ports. */
export const GATEWAY_ENV = Symbol('GATEWAY_ENV');
export const CHANNELS_CONFIG = Symbol('CHANNELS_CONFIG');
export const RECORD_SINK = Symbol('RECORD_SINK');
export const KAFKA_PUBLISHER = Symbol('KAFKA_PUBLISHER');
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
export const TOPIC_NAMES = Symbol('TOPIC_NAMES');
export const CHANNEL_ADAPTERS = Symbol('CHANNEL_ADAPTERS');
