import { createHash, createHmac } from 'node:crypto';
import { estimateSimilarity, fingerprint } from './min-hash.fingerprint';
import type {
  ClusterMember,
  ClusterState,
  DedupInput,
  DedupOptions,
  DedupStore,
  DedupTx,
  DedupVerdict,
  PetitionRecord,
} from './dedup.types';

export const DEFAULT_DEDUP_OPTIONS: Readonly<DedupOptions> = Object.freeze({
  duplicateWindowDays: 30,
  repeatWindowDays: 180,
  clusterWindowDays: 30,
  alertSize: 5,
  alertWindowDays: 7,
  duplicateThreshold: 0.6,
  matterThreshold: 0.3,
  bucketCap: 24,
  nullLocalityMatchesAny: true,
  identitySecret: '',
});

const DAY_MS = 86_400_000;

export class DedupInputError extends Error {
  readonly retriable = false;
}

interface Scored {
  record: PetitionRecord;
  similarity: number;
}

/**
 * Identity keys are personal data: only a 64-bit digest is stored or compared. With a secret the
 * digest is an HMAC, so a leaked store cannot be reversed by hashing every phone number.
 */
export function hashIdentity(identityKey: string, secret = ''): string {
  const h = secret === '' ? createHash('sha256') : createHmac('sha256', secret);
  return h.update(identityKey, 'utf8').digest('hex').slice(0, 16);
}

function normaliseLocality(locality: string | null): string | null {
  const l = locality?.trim() ?? '';
  return l === '' ? null : l;
}

/**
 * Decides new / duplicate / repeat and the same-issue cluster for each petition. All decisions are
 * made here from what the store returns, so every store gives the same verdicts for the same
 * sequence of inputs; a lookup reads a fixed number of buckets, each capped, whatever the corpus size.
 */
export class DedupEngine {
  readonly options: Readonly<DedupOptions>;

  constructor(
    private readonly store: DedupStore,
    options: Partial<DedupOptions> = {},
  ) {
    this.options = Object.freeze({ ...DEFAULT_DEDUP_OPTIONS, ...options });
    const o = this.options;
    if (!(o.duplicateThreshold >= o.matterThreshold && o.matterThreshold > 0)) {
      throw new RangeError('need 0 < matterThreshold <= duplicateThreshold');
    }
    if (!(o.bucketCap >= 1 && o.alertSize >= 1))
      throw new RangeError('bucketCap and alertSize must be >= 1');
  }

  async judge(input: DedupInput): Promise<DedupVerdict> {
    const at = input.receivedAt.getTime();
    if (!Number.isFinite(at)) throw new DedupInputError('receivedAt is not a valid date');
    if (input.petitionId === '') throw new DedupInputError('petitionId is empty');
    const fp = fingerprint(input.matchText);
    const identity = input.identityKey
      ? hashIdentity(input.identityKey, this.options.identitySecret)
      : null;
    const locality = normaliseLocality(input.locality);
    return this.store.transact((tx) =>
      this.decide(tx, input.petitionId, identity, locality, at, fp),
    );
  }

  private async decide(
    tx: DedupTx,
    petitionId: string,
    identity: string | null,
    locality: string | null,
    at: number,
    fp: ReturnType<typeof fingerprint>,
  ): Promise<DedupVerdict> {
    const earlier = await tx.getVerdict(petitionId);
    if (earlier) return earlier;
    const o = this.options;
    const scored = await this.candidates(tx, petitionId, at, fp);
    const within = (s: Scored, days: number): boolean =>
      Math.abs(at - s.record.receivedAt) <= days * DAY_MS;
    const samePerson = (s: Scored): boolean => identity !== null && s.record.identity === identity;

    const dup = scored.find(
      (s) =>
        samePerson(s) && s.similarity >= o.duplicateThreshold && within(s, o.duplicateWindowDays),
    );
    if (dup) {
      const cluster = await tx.getCluster(dup.record.clusterId);
      const verdict: DedupVerdict = {
        outcome: 'duplicate',
        of: dup.record.petitionId,
        similarity: round(dup.similarity),
        clusterId: dup.record.clusterId,
        clusterSize: cluster?.size ?? 1,
        clusterAlert: false,
      };
      tx.putVerdict(petitionId, verdict);
      return verdict;
    }

    const repeat = scored.find(
      (s) => samePerson(s) && s.similarity >= o.matterThreshold && within(s, o.repeatWindowDays),
    );
    const sameIssue =
      repeat ??
      scored.find(
        (s) =>
          !samePerson(s) &&
          s.similarity >= o.matterThreshold &&
          within(s, o.clusterWindowDays) &&
          this.sameLocality(locality, s.record.locality),
      );

    const clusterId = sameIssue?.record.clusterId ?? petitionId;
    const previous = sameIssue ? await tx.getCluster(clusterId) : null;
    const { state, alert } = this.joinCluster(
      previous,
      clusterId,
      identity ?? `#${petitionId}`,
      at,
    );

    const seq = await tx.nextSeq();
    if (fp.bandKeys.length > 0) {
      tx.putRecord({
        seq,
        petitionId,
        identity,
        locality,
        receivedAt: at,
        clusterId,
        signature: fp.signature,
      });
      tx.pushBuckets(fp.bandKeys, seq, o.bucketCap);
    }
    tx.putCluster(state);
    const verdict: DedupVerdict = {
      outcome: repeat ? 'repeat' : 'new',
      of: repeat ? repeat.record.petitionId : null,
      similarity: sameIssue ? round(sameIssue.similarity) : null,
      clusterId,
      clusterSize: state.size,
      clusterAlert: alert,
    };
    tx.putVerdict(petitionId, verdict);
    return verdict;
  }

  /** Records sharing a band with the input, best first; ties broken by age then seq. */
  private async candidates(
    tx: DedupTx,
    petitionId: string,
    at: number,
    fp: ReturnType<typeof fingerprint>,
  ): Promise<Scored[]> {
    if (fp.bandKeys.length === 0) return [];
    const o = this.options;
    const horizon =
      Math.max(o.duplicateWindowDays, o.repeatWindowDays, o.clusterWindowDays) * DAY_MS;
    const lists = await tx.getBuckets(fp.bandKeys);
    const seqs = [...new Set(lists.flat())];
    const records = await tx.getRecords(seqs);
    const scored: Scored[] = [];
    for (const record of records) {
      if (!record || record.petitionId === petitionId) continue;
      if (Math.abs(at - record.receivedAt) > horizon) continue;
      const similarity = estimateSimilarity(fp.signature, record.signature);
      if (similarity >= o.matterThreshold) scored.push({ record, similarity });
    }
    return scored.sort(
      (a, b) =>
        b.similarity - a.similarity ||
        a.record.receivedAt - b.record.receivedAt ||
        a.record.seq - b.record.seq,
    );
  }

  private sameLocality(a: string | null, b: string | null): boolean {
    if (a === null || b === null) return this.options.nullLocalityMatchesAny;
    return a === b;
  }

  /**
   * Size counts petitions; the alert counts distinct people within the alert window, because one
   * person writing five times is 重复信访, not 集体信访.
   */
  private joinCluster(
    previous: ClusterState | null,
    clusterId: string,
    who: string,
    at: number,
  ): { state: ClusterState; alert: boolean } {
    const o = this.options;
    const members: ClusterMember[] = [{ who, at }];
    for (const m of previous?.recent ?? []) if (m.who !== who) members.push(m);
    const recent = members.sort((a, b) => b.at - a.at || cmp(a.who, b.who)).slice(0, o.alertSize);
    const inWindow = recent.filter((m) => Math.abs(at - m.at) <= o.alertWindowDays * DAY_MS).length;
    const alert = !(previous?.alerted ?? false) && inWindow >= o.alertSize;
    return {
      state: {
        clusterId,
        size: (previous?.size ?? 0) + 1,
        alerted: (previous?.alerted ?? false) || alert,
        recent,
      },
      alert,
    };
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
