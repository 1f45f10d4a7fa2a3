import { LmdbDedupStore } from './lmdb-dedup.store';
import { RedisDedupStore, type RedisDedupStoreOptions } from './redis-dedup.store';
import type { DedupStore } from './dedup.types';

export interface DedupStoreConfig {
  /** When set (REDIS_URL), state is shared through Redis by every instance. */
  redisUrl?: string | null;
  /** Otherwise an LMDB environment at this directory, owned by this process. */
  lmdbPath: string;
  redis?: RedisDedupStoreOptions;
}

export function createDedupStore(config: DedupStoreConfig): DedupStore {
  if (config.redisUrl) return RedisDedupStore.connect(config.redisUrl, config.redis);
  return new LmdbDedupStore({ path: config.lmdbPath });
}
