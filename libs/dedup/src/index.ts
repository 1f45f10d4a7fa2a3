export type {
  ClusterMember,
  ClusterState,
  DedupInput,
  DedupOptions,
  DedupOutcome,
  DedupStore,
  DedupTx,
  DedupVerdict,
  PetitionRecord,
  MatterTagger,
} from './dedup.types';
export {
  DedupEngine,
  DedupInputError,
  DEFAULT_DEDUP_OPTIONS,
  hashIdentity,
  validateDedupInput,
} from './dedup.engine';
export {
  ENTITY_TYPE_WORDS,
  MAX_ENTITY_KEYS,
  entityBucket,
  entityCode,
  entityKeys,
  sharedEntities,
  type EntityKey,
} from './entity-keys';
export {
  BAND_COUNT,
  BAND_ROWS,
  FINGERPRINT_FORMAT,
  MINHASH_SIZE,
  SHINGLE_SIZE,
  estimateSimilarity,
  fingerprint,
  fingerprintFromSignature,
  type Fingerprint,
} from './min-hash.fingerprint';
export { MemoryDedupStore } from './memory-dedup.store';
export {
  LmdbDedupStore,
  type BulkRecord,
  type LmdbDedupStoreOptions,
  type EntryCounts,
} from './lmdb-dedup.store';
export {
  DedupConflictError,
  RedisDedupStore,
  type RedisDedupStoreOptions,
  type RedisConnectionEvent,
} from './redis-dedup.store';
export { createDedupStore, dedupHorizonDays, type DedupStoreConfig } from './dedup-store.factory';
