import { createHash, createHmac } from 'node:crypto';
import { entityCode, entityKeys, sharedEntities } from './entity-keys';
import { fingerprint, fmix32, similarityOfMatches } from './min-hash.fingerprint';
import { OverlayTx } from './overlay.tx';
import {
  decodeRecordHead,
  encodeRecord,
  MAX_OTHER_IDENTITIES,
  type RecordHead,
  recordEntities,
  recordSignatureMatches,
} from './record.codec';
import { entityBucketsOf, identityBucketsOf } from './record-index-keys';
import {
  digestsOf,
  linkedSeqs,
  newestSeqs,
  PERSON_RECORDS_PER_IDENTIFIER,
  personOf,
  sharesIdentity,
  type Person,
} from './person';
import type {
  ClusterMember,
  ClusterState,
  DedupInput,
  DedupOptions,
  DedupStore,
  DedupTx,
  DedupVerdict,
  MatterTagger,
  RecordProbe,
  SyncDedupTx,
} from './dedup.types';

export const DEFAULT_DEDUP_OPTIONS: Readonly<DedupOptions> = Object.freeze({
  duplicateWindowDays: 30,
  repeatWindowDays: 180,
  clusterWindowDays: 30,
  alertSize: 5,
  alertWindowDays: 7,
  duplicateThreshold: 0.6,
  duplicateMaxChangedShingles: 48,
  duplicateSureThreshold: 0.75,
  matterThreshold: 0.3,
  bucketCap: 24,
  candidateCap: 64,
  entityClusters: true,
  entityCandidateCap: 32,
  nullLocalityMatchesAny: true,
  identitySecret: '',
});

const DAY_MS = 86_400_000;

export class DedupInputError extends Error {
  readonly retriable = false;
}

interface Scored {
  record: RecordHead;
  similarity: number;
  /** Entity keys shared with the input (0 when entity clusters are off). */
  shared: number;
  /** Both name places or organisations, and none in common (another estate's same complaint). */
  namesOthers: boolean;
}

/** What one judgement needs, computed before the store is touched. */
interface Prepared {
  petitionId: string;
  /** Digests of every identity key (the primary first): empty for an unknown sender. */
  identities: string[];
  locality: string | null;
  at: number;
  fp: ReturnType<typeof fingerprint>;
  entities: number[];
  /** Matters named (MatterTagger mask) when it names entities and the engine has a tagger. */
  matters: number | undefined;
  /** LSH band keys, then entity buckets: the buckets of its text, looked up and stored in. */
  bucketKeys: number[];
  /** bucketKeys, then the identity buckets of its own identities (person.ts). */
  lookupKeys: number[];
}

/** What a judgement read: its sender, and the stored petitions it weighs. */
interface Lookup {
  person: Person;
  records: Records;
}

type Lists = readonly (readonly number[])[];
type Records = readonly (Uint8Array | null)[];
type Keep = (probe: RecordProbe) => boolean;
/** One read of a lookup: bucket lists (at bucketCap each), or records kept by `keep`. */
type LookupRead = { buckets: readonly number[] } | { records: readonly number[]; keep: Keep };
type ReadResult = Lists | Records;

/** What decide found: a duplicate, or the repeat and same-issue match (either may be absent). */
interface Choice {
  duplicate?: Scored;
  repeat?: Scored;
  sameIssue?: Scored;
}

/** The writes of a judgement: the same on the asynchronous and the synchronous view. */
type TxWrites = Pick<SyncDedupTx, 'putRecord' | 'pushBuckets' | 'putCluster' | 'putVerdict'>;

/**
 * Whether a join by entity key alone is allowed: both petitions name a common matter. A petition
 * naming no matter joins nobody by entity (a place alone does not make one issue); when either
 * mask is unknown (no lexicon, or a record stored before masks were kept) the entity decides.
 */
function sameMatter(mine: number | undefined, theirs: number | undefined): boolean {
  if (mine === undefined || theirs === undefined) return true;
  return (mine & theirs) !== 0;
}

/** Identity digests of recent senders: an HMAC per petition is a measurable share of a judgement. */
const IDENTITY_CACHE_SIZE = 4096;

/** Null when the input can be judged, else the error `judge` would reject it with. */
export function validateDedupInput(input: DedupInput): DedupInputError | null {
  if (!Number.isFinite(input.receivedAt.getTime()))
    return new DedupInputError('receivedAt is not a valid date');
  if (input.petitionId === '') return new DedupInputError('petitionId is empty');
  return null;
}

/**
 * Identity keys are personal data: only a 64-bit digest is stored or compared. With a secret the
 * digest is an HMAC, so a leaked store cannot be reversed by hashing every phone number.
 */
export function hashIdentity(identityKey: string, secret = ''): string {
  const h = secret === '' ? createHash('sha256') : createHmac('sha256', secret);
  return h.update(identityKey, 'utf8').digest('hex').slice(0, 16);
}

/** The petition a stored record stands for: itself, or the original of a kept duplicate. */
function originalOf(record: RecordHead): string {
  return record.duplicateOf ?? record.petitionId;
}

/** Whether a duplicate names an identifier its original's record lacks (and has text to store). */
function bringsNewIdentities(p: Prepared, dup: Scored): boolean {
  if (p.fp.bandKeys.length === 0) return false;
  const known = digestsOf(dup.record);
  return p.identities.some((d) => !known.includes(d));
}

/**
 * The cluster member a petition counts as: its sender (under every identifier known to be
 * theirs), or itself when the sender is unknown.
 */
function memberOf(p: Prepared, person: Person): ClusterMember {
  const [who, ...aka] = person.identities;
  if (who === undefined) return { who: `#${p.petitionId}`, at: p.at };
  return aka.length > 0 ? { who, aka, at: p.at } : { who, at: p.at };
}

/** `seqs`, then those of `more` it lacks. */
function mergeSeqs(seqs: number[], more: readonly number[]): number[] {
  const extra = more.filter((s) => !seqs.includes(s));
  return extra.length > 0 ? seqs.concat(extra) : seqs;
}

function sameMember(a: ClusterMember, b: ClusterMember): boolean {
  if (a.who === b.who) return true;
  const bAll = b.aka ? [b.who, ...b.aka] : [b.who];
  return (a.aka?.some((d) => bAll.includes(d)) ?? false) || (b.aka?.includes(a.who) ?? false);
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
  private readonly identities = new Map<string, string>();
  /** The longest window: records older than this can decide nothing. */
  private readonly horizonMs: number;

  /**
   * `matters` (a matter lexicon, config/matters.yaml in the normalizer) restricts joins by entity
   * key alone to petitions that name a common matter; without it the shared entity decides.
   */
  constructor(
    private readonly store: DedupStore,
    options: Partial<DedupOptions> = {},
    private readonly matters: MatterTagger | null = null,
  ) {
    this.options = Object.freeze({ ...DEFAULT_DEDUP_OPTIONS, ...options });
    const o = this.options;
    if (!(o.duplicateThreshold >= o.matterThreshold && o.matterThreshold > 0)) {
      throw new RangeError('need 0 < matterThreshold <= duplicateThreshold');
    }
    if (!(o.bucketCap >= 1 && o.alertSize >= 1 && o.candidateCap >= 1))
      throw new RangeError('bucketCap, candidateCap and alertSize must be >= 1');
    this.horizonMs =
      Math.max(o.duplicateWindowDays, o.repeatWindowDays, o.clusterWindowDays) * DAY_MS;
  }

  async judge(input: DedupInput): Promise<DedupVerdict> {
    const p = this.prepare(input);
    if (this.store.transactSync) return this.store.transactSync((tx) => this.decideSync(tx, p));
    return this.store.transact((tx) => this.decide(tx, p));
  }

  /**
   * Judges several petitions in one store transaction (one commit): the verdicts are those of
   * `judge` called on each in order. Every input is checked first; an invalid one rejects the whole
   * batch with DedupInputError (its `index` says which) and nothing is written, so callers can
   * `validateDedupInput` beforehand and dead-letter the bad ones.
   */
  async judgeBatch(inputs: readonly DedupInput[]): Promise<DedupVerdict[]> {
    const prepared = inputs.map((input, index) => {
      const err = validateDedupInput(input);
      if (err) throw Object.assign(err, { index });
      return this.prepare(input);
    });
    if (prepared.length === 0) return [];
    // An embedded store's view already sees its own writes: no overlay, no promise per read.
    if (this.store.transactSync)
      return this.store.transactSync((tx) => prepared.map((p) => this.decideSync(tx, p)));
    return this.store.transact(async (tx) => {
      const overlay = new OverlayTx(tx);
      const out: DedupVerdict[] = [];
      for (const p of prepared) out.push(await this.decide(overlay, p));
      return out;
    });
  }

  private prepare(input: DedupInput): Prepared {
    const err = validateDedupInput(input);
    if (err) throw err;
    const fp = fingerprint(input.matchText);
    const entities =
      this.options.entityClusters && fp.bandKeys.length > 0
        ? entityKeys(input.matchText).map(entityCode)
        : [];
    const identities = this.identitiesOf(input);
    const bucketKeys =
      entities.length > 0 ? fp.bandKeys.concat(entityBucketsOf(entities)) : fp.bandKeys;
    return {
      petitionId: input.petitionId,
      identities,
      locality: normaliseLocality(input.locality),
      at: input.receivedAt.getTime(),
      fp,
      entities,
      // Only petitions with entities can join or be joined by entity, so only they need a mask.
      matters: this.matters && entities.length > 0 ? this.matters.mask(input.matchText) : undefined,
      bucketKeys,
      lookupKeys:
        identities.length > 0 ? bucketKeys.concat(identityBucketsOf(identities)) : bucketKeys,
    };
  }

  /** Digests of the input's identity keys, the primary first, without repeats. */
  private identitiesOf(input: DedupInput): string[] {
    if (!input.identityKey) return [];
    const out = [this.identityOf(input.identityKey)];
    for (const key of input.otherIdentityKeys ?? []) {
      if (out.length > MAX_OTHER_IDENTITIES) break;
      if (!key) continue;
      const digest = this.identityOf(key);
      if (!out.includes(digest)) out.push(digest);
    }
    return out;
  }

  private identityOf(key: string): string {
    let digest = this.identities.get(key);
    if (digest === undefined) {
      digest = hashIdentity(key, this.options.identitySecret);
      // Dropping the whole cache when full keeps it bounded without LRU bookkeeping.
      if (this.identities.size >= IDENTITY_CACHE_SIZE) this.identities.clear();
      this.identities.set(key, digest);
    }
    return digest;
  }

  /**
   * One judgement against an asynchronous store. The steps are those of decideSync; only the
   * reads are awaited.
   */
  private async decide(tx: DedupTx, p: Prepared): Promise<DedupVerdict> {
    const earlier = await tx.getVerdict(p.petitionId);
    if (earlier) return earlier;
    const { person, records } = await this.lookup(tx, p);
    const choice = this.choose(p, person, this.scored(p, records));
    if (choice.duplicate) {
      const cluster = await tx.getCluster(choice.duplicate.record.clusterId);
      const linkSeq = bringsNewIdentities(p, choice.duplicate) ? await tx.nextSeq() : null;
      return this.writeDuplicate(tx, p, choice.duplicate, cluster, linkSeq);
    }
    const previous = choice.sameIssue
      ? await tx.getCluster(choice.sameIssue.record.clusterId)
      : null;
    const seq = await tx.nextSeq();
    return this.writeStored(tx, p, person, choice, previous, seq);
  }

  /**
   * The sender and the candidates: one read of the text, entity and identity buckets; the sender's
   * petitions by identifier, which name the sender's other identifiers; their petitions; then
   * every candidate that matches by text or entity, and the sender's own petitions whatever they
   * are about. The steps are lookupSteps'; only the reads are awaited.
   */
  private async lookup(tx: DedupTx, p: Prepared): Promise<Lookup> {
    const steps = this.lookupSteps(p);
    let next = steps.next();
    while (!next.done) {
      const read = next.value;
      next = steps.next(
        'buckets' in read
          ? await tx.getBuckets(read.buckets, this.options.bucketCap)
          : await tx.getRecords(read.records, read.keep),
      );
    }
    return next.value;
  }

  /** One judgement against an embedded store: the same steps as decide, without promises. */
  private decideSync(tx: SyncDedupTx, p: Prepared): DedupVerdict {
    const earlier = tx.getVerdict(p.petitionId);
    if (earlier) return earlier;
    const { person, records } = this.lookupSync(tx, p);
    const choice = this.choose(p, person, this.scored(p, records));
    if (choice.duplicate) {
      const cluster = tx.getCluster(choice.duplicate.record.clusterId);
      const linkSeq = bringsNewIdentities(p, choice.duplicate) ? tx.nextSeq() : null;
      return this.writeDuplicate(tx, p, choice.duplicate, cluster, linkSeq);
    }
    const previous = choice.sameIssue ? tx.getCluster(choice.sameIssue.record.clusterId) : null;
    return this.writeStored(tx, p, person, choice, previous, tx.nextSeq());
  }

  /** lookup against a synchronous view (whose lists are reused: each is read before the next). */
  private lookupSync(tx: SyncDedupTx, p: Prepared): Lookup {
    const steps = this.lookupSteps(p);
    let next = steps.next();
    while (!next.done) {
      const read = next.value;
      next = steps.next(
        'buckets' in read
          ? tx.getBuckets(read.buckets, this.options.bucketCap)
          : tx.getRecords(read.records, read.keep),
      );
    }
    return next.value;
  }

  /**
   * lookup's steps, written once for both views: each read is yielded (buckets or records) and
   * its result passed back in.
   */
  private *lookupSteps(p: Prepared): Generator<LookupRead, Lookup, ReadResult> {
    const lists = p.lookupKeys.length > 0 ? yield { buckets: p.lookupKeys } : [];
    const seqs = this.candidateSeqs(p, lists as Lists);
    const own = newestSeqs(
      lists as Lists,
      p.bucketKeys.length,
      lists.length,
      PERSON_RECORDS_PER_IDENTIFIER,
    );
    const read = (records: number[], keep: Keep): LookupRead => ({ records, keep });
    const inHorizon = this.inHorizon(p);
    const person: Person =
      own.length > 0
        ? personOf(p.identities, own, (yield read(own, inHorizon)) as Records)
        : { identities: p.identities, seqs: [] };
    const linked = person.identities.slice(p.identities.length);
    if (linked.length > 0) {
      const linkedLists = (yield { buckets: identityBucketsOf(linked) }) as Lists;
      const more = newestSeqs(linkedLists, 0, linked.length, PERSON_RECORDS_PER_IDENTIFIER).filter(
        (s) => !own.includes(s),
      );
      if (more.length > 0)
        person.seqs.push(...linkedSeqs(linked, more, (yield read(more, inHorizon)) as Records));
    }
    const all = mergeSeqs(seqs, person.seqs);
    const records = all.length > 0 ? yield read(all, this.keeper(p)) : [];
    return { person, records: records as Records };
  }

  /** Duplicate of an earlier petition of the same person, or else its repeat and/or same issue. */
  private choose(p: Prepared, person: Person, all: Scored[]): Choice {
    const { locality, at, fp } = p;
    const { identities } = person;
    const o = this.options;
    const scored = all.filter((s) => s.similarity >= o.matterThreshold);
    const within = (s: Scored, days: number): boolean =>
      Math.abs(at - s.record.receivedAt) <= days * DAY_MS;
    const samePerson = (s: Scored): boolean => sharesIdentity(identities, s.record);

    const duplicate = scored.find(
      (s) => samePerson(s) && this.nearIdentical(s, fp) && within(s, o.duplicateWindowDays),
    );
    if (duplicate) return { duplicate };
    // 重复信访: the same person on the same matter, in similar words or, like a same-issue join,
    // naming the same place with a matter in common (a second letter about it rarely reuses the
    // first one's words).
    const repeat =
      scored.find((s) => samePerson(s) && within(s, o.repeatWindowDays)) ??
      this.entityMatch(
        all,
        (s) =>
          samePerson(s) && within(s, o.repeatWindowDays) && sameMatter(p.matters, s.record.matters),
        locality,
      );
    // Other people: similar wording, unless the two name different places and none in common (one
    // template used by the owners of two estates is two issues); or a named place and a matter.
    const sameIssue =
      repeat ??
      scored.find(
        (s) =>
          !samePerson(s) &&
          !s.namesOthers &&
          within(s, o.clusterWindowDays) &&
          this.sameLocality(locality, s.record.locality),
      ) ??
      this.entityMatch(
        all,
        (s) =>
          !samePerson(s) &&
          within(s, o.clusterWindowDays) &&
          sameMatter(p.matters, s.record.matters),
        locality,
      );
    return { repeat, sameIssue };
  }

  /**
   * A duplicate is only a verdict, unless it brought identifiers its original lacks (the ID number
   * beside the phone of an earlier SMS): then it is also kept as a record under `linkSeq`, naming
   * the original and carrying both sets of identifiers, so a later petition under the new ones
   * alone is still this person's.
   */
  private writeDuplicate(
    tx: TxWrites,
    p: Prepared,
    dup: Scored,
    cluster: ClusterState | null,
    linkSeq: number | null,
  ): DedupVerdict {
    const original = originalOf(dup.record);
    if (linkSeq !== null) {
      // Both sets of identifiers, this petition's first, without repeats.
      const identities = [...new Set([...p.identities, ...digestsOf(dup.record)])];
      this.putStored(tx, p, linkSeq, dup.record.clusterId, identities, original);
    }
    const verdict: DedupVerdict = {
      outcome: 'duplicate',
      of: original,
      similarity: round(dup.similarity),
      clusterId: dup.record.clusterId,
      clusterSize: cluster?.size ?? 1,
      clusterAlert: false,
    };
    tx.putVerdict(p.petitionId, verdict);
    return verdict;
  }

  /** A new or repeat petition: its record and buckets, its cluster, its verdict. */
  private writeStored(
    tx: TxWrites,
    p: Prepared,
    person: Person,
    { repeat, sameIssue }: Choice,
    previous: ClusterState | null,
    seq: number,
  ): DedupVerdict {
    const { petitionId } = p;
    const clusterId = sameIssue?.record.clusterId ?? petitionId;
    const { state, alert } = this.joinCluster(previous, clusterId, memberOf(p, person), p.at);
    if (p.fp.bandKeys.length > 0) this.putStored(tx, p, seq, clusterId, p.identities);
    tx.putCluster(state);
    const verdict: DedupVerdict = {
      outcome: repeat ? 'repeat' : 'new',
      of: repeat ? originalOf(repeat.record) : null,
      similarity: sameIssue ? round(sameIssue.similarity) : null,
      clusterId,
      clusterSize: state.size,
      clusterAlert: alert,
    };
    tx.putVerdict(petitionId, verdict);
    return verdict;
  }

  /**
   * The petition's record under `seq`, in the buckets it is looked up in. `identities` (primary
   * first) are its sender's; `duplicateOf` names the original when it is a kept duplicate.
   */
  private putStored(
    tx: TxWrites,
    p: Prepared,
    seq: number,
    clusterId: string,
    identities: readonly string[],
    duplicateOf?: string,
  ): void {
    const [identity = null, ...others] = identities;
    tx.putRecord(
      seq,
      encodeRecord({
        seq,
        petitionId: p.petitionId,
        identity,
        ...(others.length > 0 ? { otherIdentities: others.slice(0, MAX_OTHER_IDENTITIES) } : {}),
        ...(duplicateOf === undefined ? {} : { duplicateOf }),
        locality: p.locality,
        receivedAt: p.at,
        clusterId,
        signature: p.fp.signature,
        shingleCount: Math.min(0xffff, p.fp.shingleCount),
        entities: p.entities,
        matters: p.matters,
      }),
    );
    // With the identity buckets of what this record holds (recordIndexKeys gives the same): the
    // petition's own, already in lookupKeys, unless this is a kept duplicate's link record.
    const stored = identities.slice(0, 1 + MAX_OTHER_IDENTITIES);
    tx.pushBuckets(
      identities === p.identities ? p.lookupKeys : p.bucketKeys.concat(identityBucketsOf(stored)),
      seq,
      this.options.bucketCap,
    );
  }

  /**
   * Records sharing a band or an entity key with the input: at most candidateCap band candidates
   * (most bands shared, newest first) and entityCandidateCap entity candidates (most keys shared,
   * newest first).
   */
  private candidateSeqs(p: Prepared, lists: readonly (readonly number[])[]): number[] {
    if (lists.length === 0) return [];
    const o = this.options;
    const bands = p.fp.bandKeys.length;
    const bandSeqs = topByHits(lists, 0, bands, o.candidateCap);
    if (p.bucketKeys.length === bands) return bandSeqs;
    const entitySeqs = topByHits(lists, bands, p.bucketKeys.length, o.entityCandidateCap).filter(
      (s) => !bandSeqs.includes(s),
    );
    return entitySeqs.length > 0 ? bandSeqs.concat(entitySeqs) : bandSeqs;
  }

  /** Records any window can still reach: the sender's petitions read for their identifiers. */
  private inHorizon(p: Prepared): (probe: RecordProbe) => boolean {
    const horizon = this.horizonMs;
    return (probe) => Math.abs(p.at - probe.receivedAt()) <= horizon;
  }

  /**
   * Which candidates are worth decoding: within the horizon and matching by text or by entity.
   * Scored through the store's probe (its memory or the bytes where they lie), so rejected ones
   * cost no copy.
   */
  private keeper(p: Prepared): (probe: RecordProbe) => boolean {
    const o = this.options;
    const horizon = this.horizonMs;
    const { at, fp, entities } = p;
    return (probe) =>
      Math.abs(at - probe.receivedAt()) <= horizon &&
      (similarityOfMatches(probe.signatureMatches(fp.signature)) >= o.matterThreshold ||
        (entities.length > 0 && probe.sharedEntities(entities) > 0));
  }

  /** The kept candidates decoded, best text match first; ties broken by age then seq. */
  private scored(p: Prepared, records: readonly (Uint8Array | null)[]): Scored[] {
    const out: Scored[] = [];
    for (let i = 0; i < records.length; i++) {
      const bytes = records[i];
      if (!bytes) continue;
      const record = decodeRecordHead(bytes);
      if (record.petitionId === p.petitionId) continue;
      const theirs = p.entities.length > 0 ? recordEntities(bytes) : [];
      const shared = theirs.length > 0 ? sharedEntities(p.entities, theirs) : 0;
      out.push({
        record,
        similarity: similarityOfMatches(recordSignatureMatches(bytes, p.fp.signature)),
        shared,
        namesOthers: theirs.length > 0 && shared === 0,
      });
    }
    // Most judgements keep no candidate or one; a sort call allocates even then.
    if (out.length < 2) return out;
    return out.sort(
      (a, b) =>
        b.similarity - a.similarity ||
        a.record.receivedAt - b.record.receivedAt ||
        a.record.seq - b.record.seq,
    );
  }

  /**
   * Near-identical: Jaccard at least duplicateSureThreshold, or at least duplicateThreshold with
   * few changed 3-grams. |A Δ B| = (|A| + |B|)(1 − J)/(1 + J) for sets A, B with Jaccard J.
   */
  private nearIdentical(s: Scored, fp: ReturnType<typeof fingerprint>): boolean {
    const o = this.options;
    if (s.similarity < o.duplicateThreshold) return false;
    if (s.similarity >= o.duplicateSureThreshold) return true;
    const mine = fp.shingleCount;
    const theirs = s.record.shingleCount ?? 0;
    if (mine === 0 || theirs === 0) return true;
    const changed = ((mine + theirs) * (1 - s.similarity)) / (1 + s.similarity);
    return changed <= o.duplicateMaxChangedShingles;
  }

  /** Same place or organisation, same locality: the record sharing most keys, newest first. */
  private entityMatch(
    all: Scored[],
    eligible: (s: Scored) => boolean,
    locality: string | null,
  ): Scored | undefined {
    let best: Scored | undefined;
    for (const s of all) {
      if (s.shared === 0 || !eligible(s) || !this.sameLocality(locality, s.record.locality))
        continue;
      if (
        !best ||
        s.shared > best.shared ||
        (s.shared === best.shared &&
          (s.record.receivedAt > best.record.receivedAt ||
            (s.record.receivedAt === best.record.receivedAt && s.record.seq > best.record.seq)))
      )
        best = s;
    }
    return best;
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
    member: ClusterMember,
    at: number,
  ): { state: ClusterState; alert: boolean } {
    const o = this.options;
    const members: ClusterMember[] = [member];
    for (const m of previous?.recent ?? []) if (!sameMember(m, member)) members.push(m);
    sortMembers(members);
    const recent = members.length > o.alertSize ? members.slice(0, o.alertSize) : members;
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

/**
 * Hit counts of one candidate selection: an open-addressed table reused across judgements (seqs
 * stamped with the current round, so nothing is cleared or allocated per judgement; a Map of a few
 * hundred seqs was a tenth of a lookup at a million stored petitions).
 */
let hitSeqs = new Uint32Array(2048);
let hitCounts = new Uint8Array(2048);
let hitRounds = new Uint32Array(2048);
let hitRound = 0;

/**
 * Distinct seqs of lists[from..to), most lists first, then newest (highest seq); at most `cap`, in
 * no particular order (candidates are sorted once scored). Seqs are grouped by hit count (at most
 * one per list); only the group that straddles the cap is sorted, natively, as a typed array: with
 * full buckets in a large store that group is hundreds of single-hit seqs.
 */
function topByHits(
  lists: readonly (readonly number[])[],
  from: number,
  to: number,
  cap: number,
): number[] {
  let total = 0;
  for (let i = from; i < to; i++) total += lists[i]?.length ?? 0;
  if (total * 2 > hitSeqs.length) {
    let size = hitSeqs.length;
    while (size < total * 2) size *= 2;
    hitSeqs = new Uint32Array(size);
    hitCounts = new Uint8Array(size);
    hitRounds = new Uint32Array(size);
  }
  hitRound = (hitRound + 1) >>> 0;
  if (hitRound === 0) {
    hitRounds.fill(0);
    hitRound = 1;
  }
  const seqs = hitSeqs;
  const counts = hitCounts;
  const rounds = hitRounds;
  const round = hitRound;
  const mask = seqs.length - 1;
  const distinct: number[] = [];
  let maxHits = 0;
  for (let i = from; i < to; i++) {
    for (const s of lists[i] ?? []) {
      for (let j = fmix32(s) & mask; ; j = (j + 1) & mask) {
        if (rounds[j] !== round) {
          rounds[j] = round;
          seqs[j] = s;
          counts[j] = 1;
          distinct.push(j);
          if (maxHits === 0) maxHits = 1;
          break;
        }
        if (seqs[j] === s) {
          const h = (counts[j] ?? 0) + 1;
          counts[j] = h;
          if (h > maxHits) maxHits = h;
          break;
        }
      }
    }
  }
  const out: number[] = [];
  if (distinct.length <= cap) {
    for (const j of distinct) out.push(seqs[j] ?? 0);
    return out;
  }
  for (let h = maxHits; h >= 1 && out.length < cap; h--) {
    let group = 0;
    for (const j of distinct) if (counts[j] === h) group++;
    if (group === 0) continue;
    if (out.length + group <= cap) {
      for (const j of distinct) if (counts[j] === h) out.push(seqs[j] ?? 0);
      continue;
    }
    const newest = new Uint32Array(group);
    let n = 0;
    for (const j of distinct) if (counts[j] === h) newest[n++] = seqs[j] ?? 0;
    newest.sort();
    for (let i = newest.length - 1; out.length < cap; i--) out.push(newest[i] ?? 0);
  }
  return out;
}

/**
 * Newest first, then by `who` (distinct within a cluster, so the order is total and any sort
 * gives the same). Insertion sort in place: at most alertSize + 1 members, and
 * Array.prototype.sort allocated ~0.7 kB per call.
 */
export function sortMembers(members: ClusterMember[]): void {
  for (let i = 1; i < members.length; i++) {
    const m = members[i] as ClusterMember;
    let j = i - 1;
    for (; j >= 0; j--) {
      const prev = members[j] as ClusterMember;
      if ((m.at - prev.at || cmp(prev.who, m.who)) <= 0) break;
      members[j + 1] = prev;
    }
    members[j + 1] = m;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
