import { keepBytes } from './record-probe';
import type { ClusterState, DedupTx, DedupVerdict, RecordProbe } from './dedup.types';

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
  private readonly records = new Map<number, Uint8Array>();
  private readonly clusters = new Map<string, ClusterState>();
  /**
   * Current list of every bucket read so far (the base list with this batch's pushes applied, owned
   * and updated in place), and pushes to buckets not read yet, replayed when they are.
   */
  private readonly lists = new Map<number, number[]>();
  private readonly pending = new Map<number, [number, number][]>();

  constructor(private readonly base: DedupTx) {}

  async getVerdict(petitionId: string): Promise<DedupVerdict | null> {
    return this.verdicts.get(petitionId) ?? (await this.base.getVerdict(petitionId));
  }

  async getBuckets(keys: readonly number[], cap: number): Promise<readonly (readonly number[])[]> {
    let missing: number[] | null = null;
    for (const k of keys) {
      if (!this.lists.has(k) && !missing?.includes(k)) (missing ??= []).push(k);
    }
    if (missing) {
      const fetched = await this.base.getBuckets(missing, cap);
      missing.forEach((k, i) => {
        const list = [...(fetched[i] ?? [])];
        for (const [seq, c] of this.pending.get(k) ?? []) pushInPlace(list, seq, c);
        this.pending.delete(k);
        this.lists.set(k, list);
      });
    }
    // The engine only reads the lists: no copies.
    return keys.map((k) => {
      const list = this.lists.get(k) ?? [];
      return list.length > cap ? list.slice(0, cap) : list;
    });
  }

  async getRecords(
    seqs: readonly number[],
    keep?: (probe: RecordProbe) => boolean,
  ): Promise<(Uint8Array | null)[]> {
    const missing = seqs.filter((s) => !this.records.has(s));
    const fetched = missing.length > 0 ? await this.base.getRecords(missing, keep) : [];
    const keepOwn = keepBytes(keep);
    let next = 0;
    return seqs.map((s) => {
      const own = this.records.get(s);
      if (own === undefined) return fetched[next++] ?? null;
      return !keepOwn || keepOwn(own) ? own : null;
    });
  }

  async getCluster(clusterId: string): Promise<ClusterState | null> {
    return this.clusters.get(clusterId) ?? (await this.base.getCluster(clusterId));
  }

  nextSeq(): Promise<number> {
    return this.base.nextSeq();
  }

  putRecord(seq: number, bytes: Buffer): void {
    this.records.set(seq, bytes);
    this.base.putRecord(seq, bytes);
  }

  pushBuckets(keys: readonly number[], seq: number, cap: number): void {
    for (const k of keys) {
      const list = this.lists.get(k);
      if (list) pushInPlace(list, seq, cap);
      else {
        const pending = this.pending.get(k);
        if (pending) pending.push([seq, cap]);
        else this.pending.set(k, [[seq, cap]]);
      }
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

/** pushSeq on a list this overlay owns: the same result without a new array per push. */
function pushInPlace(list: number[], seq: number, cap: number): void {
  const at = list.indexOf(seq);
  if (at >= 0) list.splice(at, 1);
  list.unshift(seq);
  if (list.length > Math.max(1, cap)) list.length = Math.max(1, cap);
}
