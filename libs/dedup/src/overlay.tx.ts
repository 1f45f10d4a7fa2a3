import { pushSeq } from './record.codec';
import type { ClusterState, DedupTx, DedupVerdict, PetitionRecord } from './dedup.types';

/**
 * Several judgements inside one store transaction (DedupEngine.judgeBatch): every write goes to
 * the store's transaction (committed once, at the end) and to this overlay, and every read sees the
 * overlay over the store, so each judgement sees exactly what it would have seen had the earlier
 * ones committed on their own. Bucket pushes are replayed in order with the same cap as the stores
 * apply them, so lists are identical to sequential commits. Reads of the underlying store are
 * cached: nothing under the overlay changes until the commit.
 */
export class OverlayTx implements DedupTx {
  private readonly verdicts = new Map<string, DedupVerdict>();
  private readonly records = new Map<number, PetitionRecord>();
  private readonly clusters = new Map<string, ClusterState>();
  /** Per bucket key: (seq, cap) pushes in order. */
  private readonly pushes = new Map<number, [number, number][]>();
  private readonly baseBuckets = new Map<number, number[]>();

  constructor(private readonly base: DedupTx) {}

  async getVerdict(petitionId: string): Promise<DedupVerdict | null> {
    return this.verdicts.get(petitionId) ?? (await this.base.getVerdict(petitionId));
  }

  async getBuckets(keys: readonly number[]): Promise<number[][]> {
    const missing = [...new Set(keys.filter((k) => !this.baseBuckets.has(k)))];
    if (missing.length > 0) {
      const lists = await this.base.getBuckets(missing);
      missing.forEach((k, i) => this.baseBuckets.set(k, lists[i] ?? []));
    }
    return keys.map((k) => {
      let list = [...(this.baseBuckets.get(k) ?? [])];
      for (const [seq, cap] of this.pushes.get(k) ?? []) list = pushSeq(list, seq, cap);
      return list;
    });
  }

  async getRecords(seqs: readonly number[]): Promise<(PetitionRecord | null)[]> {
    const missing = seqs.filter((s) => !this.records.has(s));
    const fetched = missing.length > 0 ? await this.base.getRecords(missing) : [];
    const bySeq = new Map<number, PetitionRecord | null>();
    missing.forEach((s, i) => bySeq.set(s, fetched[i] ?? null));
    return seqs.map((s) => this.records.get(s) ?? bySeq.get(s) ?? null);
  }

  async getCluster(clusterId: string): Promise<ClusterState | null> {
    return this.clusters.get(clusterId) ?? (await this.base.getCluster(clusterId));
  }

  nextSeq(): Promise<number> {
    return this.base.nextSeq();
  }

  putRecord(record: PetitionRecord): void {
    this.records.set(record.seq, record);
    this.base.putRecord(record);
  }

  pushBuckets(keys: readonly number[], seq: number, cap: number): void {
    for (const k of keys) {
      const list = this.pushes.get(k) ?? [];
      list.push([seq, cap]);
      this.pushes.set(k, list);
    }
    this.base.pushBuckets(keys, seq, cap);
  }

  putCluster(state: ClusterState): void {
    this.clusters.set(state.clusterId, state);
    this.base.putCluster(state);
  }

  putVerdict(petitionId: string, verdict: DedupVerdict): void {
    this.verdicts.set(petitionId, verdict);
    this.base.putVerdict(petitionId, verdict);
  }
}
