import { open, type Database, type RootDatabase } from 'lmdb';

/**
 * Remembers which raw record first claimed each idempotency key, in an embedded LMDB database
 * (persistent, no server). The value is the record's position (`topic/partition@offset`), which
 * is what makes exactly-once work with Kafka transactions: when a batch is re-read after a crash,
 * its keys are found claimed *by the same position* and are processed again (the earlier output
 * was never committed); a key claimed by a different position is a provider retry, a replay.
 */
export class ReplayStore {
  private readonly root: RootDatabase;
  private readonly claims: Database<string, string>;

  constructor(dir: string) {
    this.root = open({ path: dir, compression: false });
    this.claims = this.root.openDB<string, string>({ name: 'replay-claims' });
  }

  /** The position that owns the key, or null if nobody has claimed it yet. */
  owner(key: string): string | null {
    return this.claims.get(key) ?? null;
  }

  /** Claims many keys in one durable LMDB transaction (one commit per Kafka batch). */
  async claimAll(claims: Map<string, string>): Promise<void> {
    if (claims.size === 0) return;
    await this.root.transaction(() => {
      for (const [key, position] of claims) {
        if (this.claims.get(key) === undefined) void this.claims.put(key, position);
      }
    });
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
