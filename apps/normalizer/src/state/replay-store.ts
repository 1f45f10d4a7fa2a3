import { open, type Database, type RootDatabase } from 'lmdb';

export interface ReplayStoreOptions {
  /** Claims older than this are deleted at open and by pruneExpired (the dedup horizon: 400 days by default). */
  retentionDays: number;
  /** Wall clock for claim times. */
  now?: () => number;
}

/** What the retention at open did. */
export interface ReplayPrune {
  /** Claims past the retention, deleted. */
  expired: number;
  /** Claims written before claims carried a time, given this open's time (they expire later). */
  dated: number;
}

const DAY_MS = 86_400_000;
const CHUNK = 50_000;

/** Stored value: `${claimed at, ms}\t${position}`; a bare position is a claim of an older version. */
function positionOf(value: string): string {
  const tab = value.indexOf('\t');
  return tab < 0 ? value : value.slice(tab + 1);
}

function claimedAt(value: string): number | null {
  const tab = value.indexOf('\t');
  return tab < 0 ? null : Number(value.slice(0, tab));
}

/**
 * Remembers which raw record first claimed each idempotency key, in an embedded LMDB database
 * (persistent, no server). The value is the record's position (`topic/partition@offset`), which
 * is what makes exactly-once work with Kafka transactions: when a batch is re-read after a crash,
 * its keys are found claimed *by the same position* and are processed again (the earlier output
 * was never committed); a key claimed by a different position is a provider retry, a replay.
 *
 * A claim is kept for the retention (far longer than any retry or topic retention) and deleted
 * at the first open after it or by pruneExpired, so the store does not grow with all history.
 */
export class ReplayStore {
  private readonly root: RootDatabase;
  private readonly claims: Database<string, string>;
  private readonly now: () => number;
  private readonly retentionMs: number;
  readonly pruned: ReplayPrune;

  constructor(dir: string, options: ReplayStoreOptions) {
    this.now = options.now ?? Date.now;
    this.retentionMs = options.retentionDays * DAY_MS;
    this.root = open({ path: dir, compression: false });
    this.claims = this.root.openDB<string, string>({ name: 'replay-claims' });
    try {
      this.pruned = this.pruneAtOpen();
    } catch (err) {
      void this.root.close();
      throw err;
    }
  }

  private pruneAtOpen(): ReplayPrune {
    const now = this.now();
    const { expired, undated } = this.scan(now - this.retentionMs);
    this.inChunks(expired, (key) => void this.claims.remove(key));
    this.inChunks(undated, ([key, position]) => void this.claims.put(key, `${now}\t${position}`));
    return { expired: expired.length, dated: undated.length };
  }

  /**
   * Deletes the claims past the retention without a restart (the normalizer calls it with the
   * dedup store's retention while running); returns how many.
   */
  pruneExpired(): number {
    const { expired } = this.scan(this.now() - this.retentionMs);
    this.inChunks(expired, (key) => void this.claims.remove(key));
    return expired.length;
  }

  /** One read of every claim: those claimed before `cutoff`, and those without a time. */
  private scan(cutoff: number): { expired: string[]; undated: [string, string][] } {
    const expired: string[] = [];
    const undated: [string, string][] = [];
    for (const { key, value } of this.claims.getRange()) {
      const at = claimedAt(value);
      if (at === null) undated.push([key, value]);
      else if (at < cutoff) expired.push(key);
    }
    return { expired, undated };
  }

  /** Writes in transactions of at most CHUNK items (one huge transaction holds every page). */
  private inChunks<T>(items: readonly T[], write: (item: T) => void): void {
    for (let i = 0; i < items.length; i += CHUNK) {
      const chunk = items.slice(i, i + CHUNK);
      this.root.transactionSync(() => chunk.forEach(write));
    }
  }

  /** The position that owns the key, or null if nobody has claimed it yet. */
  owner(key: string): string | null {
    const value = this.claims.get(key);
    return value === undefined ? null : positionOf(value);
  }

  /** Claims many keys in one durable LMDB transaction (one commit per Kafka batch). */
  async claimAll(claims: Map<string, string>): Promise<void> {
    if (claims.size === 0) return;
    const at = this.now();
    await this.root.transaction(() => {
      for (const [key, position] of claims) {
        if (this.claims.get(key) === undefined) void this.claims.put(key, `${at}\t${position}`);
      }
    });
  }

  /** Claims on disk. */
  size(): number {
    return this.claims.getKeysCount();
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
