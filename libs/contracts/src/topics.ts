/**
 * Topic names are part of the contract: a breaking change to a payload is a new topic version,
 * never an in-place change.
 */
export const TOPICS = {
  /** gateway → normalizer: what a channel received, durable before the sender is acknowledged. */
  raw: 'petition.raw.v1',
  /** normalizer → case systems: the canonical petition events. */
  events: 'petition.events.v1',
  /** anything that could not be normalised, with the reason and the original payload. */
  deadLetters: 'petition.dlq.v1',
  /** same-issue (集体信访) alerts when a cluster reaches its configured size. */
  clusters: 'petition.clusters.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export type TopicNames = { -readonly [K in keyof typeof TOPICS]: string };

/**
 * The topic names under an optional namespace prefix (e.g. `staging.` or a test run's own
 * prefix), so several deployments or test files can share one cluster without seeing each other.
 */
export function topicNames(namespace = ''): TopicNames {
  return {
    raw: namespace + TOPICS.raw,
    events: namespace + TOPICS.events,
    deadLetters: namespace + TOPICS.deadLetters,
    clusters: namespace + TOPICS.clusters,
  };
}
