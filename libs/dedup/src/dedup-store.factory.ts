import { DEFAULT_DEDUP_OPTIONS } from './dedup.engine';
import { LmdbDedupStore, type EntryCounts } from './lmdb-dedup.store';
import { RedisDedupStore, type RedisDedupStoreOptions } from './redis-dedup.store';
import type { DedupOptions, DedupStore } from './dedup.types';

export interface DedupStoreConfig {
  /** When set (REDIS_URL), state is shared through Redis by every instance. */
  redisUrl?: string | null;
  /** Otherwise an LMDB environment at this directory, owned by this process. */
  lmdbPath: string;
  redis?: RedisDedupStoreOptions;
  /**
   * How far back the store must keep petitions findable: the LMDB index rebuilt at open and the
   * Redis expiry. Use dedupHorizonDays(the engine's options); default 400.
   */
  horizonDays?: number;
  /** LMDB only: told what the retention while running deleted, each time. */
  onReindexed?: (deleted: EntryCounts) => void;
}

/** Kept findable at least this long whatever the windows (as before windows were configurable). */
const MIN_HORIZON_DAYS = 400;

/**
 * The store's horizon for an engine with these options: its longest window, so that a petition
 * inside the duplicate, repeat or cluster window is still found after a restart (the LMDB index
 * is rebuilt only from records inside the horizon) and has not expired from Redis.
 */
export function dedupHorizonDays(options: Partial<DedupOptions> = {}): number {
  const o = { ...DEFAULT_DEDUP_OPTIONS, ...options };
  return Math.max(
    MIN_HORIZON_DAYS,
    o.duplicateWindowDays,
    o.repeatWindowDays,
    o.clusterWindowDays,
    o.alertWindowDays,
  );
}

export function createDedupStore(config: DedupStoreConfig): DedupStore {
  const horizonDays = config.horizonDays ?? MIN_HORIZON_DAYS;
  if (config.redisUrl)
    return RedisDedupStore.connect(config.redisUrl, {
      retentionSeconds: horizonDays * 86_400,
      ...config.redis,
    });
  return new LmdbDedupStore({
    path: config.lmdbPath,
    indexHorizonDays: horizonDays,
    ...(config.onReindexed ? { onReindexed: config.onReindexed } : {}),
  });
}
