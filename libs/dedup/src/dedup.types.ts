/** One petition as the dedup engine sees it. `matchText` is already normalised (see @app/text). */
export interface DedupInput {
  /** Tracking number of this petition; judging the same id twice returns the first verdict. */
  petitionId: string;
  /** Stable key of the sender (phone, ID number, account), or null when unknown. Stored hashed. */
  identityKey: string | null;
  /**
   * Keys of the sender's other identifiers (the phone and e-mail beside an ID number …): a stored
   * petition sharing any key with this one is the same person's, and so is one sharing a key with
   * such a petition's other identifiers (person.ts). At most MAX_OTHER_IDENTITIES.
   */
  otherIdentityKeys?: readonly string[];
  /** NFKC, Simplified, lower-case text without punctuation, whitespace or greetings. */
  matchText: string;
  /** District/county responsible (属地), or null when not known. */
  locality: string | null;
  receivedAt: Date;
}

export type DedupOutcome = 'new' | 'duplicate' | 'repeat';

export interface DedupVerdict {
  outcome: DedupOutcome;
  /** The earlier petitionId for duplicate/repeat, null for new. */
  of: string | null;
  /** Estimated Jaccard similarity (character 3-grams) to `of`, or to the cluster match; null if none. */
  similarity: number | null;
  /** Every petition belongs to a cluster: its own id when it starts one. */
  clusterId: string;
  /** Distinct petitions (duplicates excluded) in the cluster so far, this one included. */
  clusterSize: number;
  /** True exactly once per cluster: when alertSize distinct people joined it within alertWindowDays. */
  clusterAlert: boolean;
}

export interface DedupOptions {
  /** Same person, near-identical text within this many days → duplicate. */
  duplicateWindowDays: number;
  /** Same person, same matter within this many days → repeat. */
  repeatWindowDays: number;
  /** Different people, same matter, same locality within this many days → same cluster. */
  clusterWindowDays: number;
  /** Distinct people in one cluster within alertWindowDays that raise the alert. */
  alertSize: number;
  alertWindowDays: number;
  /** Estimated Jaccard at or above which text may be near-identical (duplicate). */
  duplicateThreshold: number;
  /**
   * An edited copy differs from its original by a few edits whatever its length; a rewrite that
   * keeps most of a long text differs by many. Between duplicateThreshold and duplicateSureThreshold
   * a pair is a duplicate only when the estimated number of 3-grams in one text but not the other
   * is at most this many (Infinity: Jaccard alone decides).
   */
  duplicateMaxChangedShingles: number;
  /**
   * Estimated Jaccard at or above which text is a duplicate whatever its length (0.75: a long
   * letter resent with a word changed in every other sentence, ~3 % of its characters, is still
   * the same letter; 0.70 doubled the false matches among distinct real messages).
   */
  duplicateSureThreshold: number;
  /** Estimated Jaccard at or above which two texts are about the same matter (repeat / cluster). */
  matterThreshold: number;
  /** Most recent entries kept per LSH bucket; bounds the cost of a lookup. */
  bucketCap: number;
  /**
   * Most stored records read per judgement from the LSH buckets: those sharing the most bands,
   * newest first. Keeps a lookup's cost flat when buckets fill up in a large store.
   */
  candidateCap: number;
  /**
   * Group different people naming the same place or organisation (see entity-keys.ts) in the same
   * locality within clusterWindowDays, even when their wording differs.
   */
  entityClusters: boolean;
  /** Most records read per judgement from entity buckets (newest first). */
  entityCandidateCap: number;
  /** An unknown locality is no evidence of a different place: let it join clusters anywhere. */
  nullLocalityMatchesAny: boolean;
  /** HMAC key for identity digests; all instances sharing a store must use the same one. */
  identitySecret: string;
}

/** What the store keeps of a new or repeat petition (duplicates are kept only as verdicts). */
export interface PetitionRecord {
  seq: number;
  petitionId: string;
  /** Hash of the identity key (hex), never the key itself. */
  identity: string | null;
  /** Hashes of the other identity keys (DedupInput.otherIdentityKeys); absent when none. */
  otherIdentities?: readonly string[];
  /**
   * Set on a duplicate kept only because it brought identifiers its original lacked (an ID number
   * beside the phone of an earlier SMS): the original's petitionId, which later verdicts name.
   */
  duplicateOf?: string;
  locality: string | null;
  receivedAt: number;
  clusterId: string;
  /** Low 16 bits of each one-permutation MinHash bin (b-bit MinHash), enough to estimate Jaccard. */
  signature: Uint16Array;
  /** Distinct 3-grams of the text (capped at 65535). */
  shingleCount?: number;
  /** Entity codes (entity-keys.ts `entityCode`) of the places and organisations it names. */
  entities?: readonly number[];
  /**
   * Matters it names (MatterTagger mask), kept for petitions with entities only, since only they
   * join clusters by entity. Undefined: not known (a record from before masks were kept).
   */
  matters?: number;
}

/**
 * What a petition is about, as a bit mask over a lexicon's matter groups (noise, fumes, wage
 * arrears …); 0 when it names none. Given to the engine, it restricts joins by entity key alone to
 * petitions naming a common matter.
 */
export interface MatterTagger {
  mask(matchText: string): number;
}

export interface ClusterMember {
  /** Identity hash, or `#<petitionId>` for an unknown sender (every unknown sender counts as distinct). */
  who: string;
  /** The member's other identity hashes: one person writing under two identifiers counts once. */
  aka?: string[];
  at: number;
}

export interface ClusterState {
  clusterId: string;
  size: number;
  alerted: boolean;
  /** Newest distinct members, at most alertSize of them: enough to decide the alert. */
  recent: ClusterMember[];
}

/**
 * What the engine reads of a candidate record before deciding to keep it: enough to drop the
 * ones out of the horizon and to score the rest. A store may back it with the record's bytes
 * (record-probe.ts) or with what it holds in memory (record-columns.ts); a probe is only valid
 * during the `keep` call it is passed to.
 */
export interface RecordProbe {
  receivedAt(): number;
  /** Signature positions equal to `signature` (MINHASH_SIZE values). */
  signatureMatches(signature: Uint16Array): number;
  /** Entity keys shared with `codes` (entity-keys.ts `sharedEntities`). */
  sharedEntities(codes: readonly number[]): number;
}

/**
 * One judgement's view of the store. Reads may be asynchronous; writes are buffered and applied
 * atomically when the transaction's work resolves. Records travel encoded (record.codec.ts): the
 * engine scores candidates through a probe and decodes only the ones it keeps.
 */
export interface DedupTx {
  getVerdict(petitionId: string): Promise<DedupVerdict | null>;
  /** Entries of each bucket, newest first (same order as `keys`), at most `cap` each. Read-only. */
  getBuckets(keys: readonly number[], cap: number): Promise<readonly (readonly number[])[]>;
  /**
   * Encoded records (record.codec.ts), null for a seq the store does not hold or one `keep`
   * rejects. `keep` sees a probe that is only valid during the call, so rejected records cost no
   * copy (or, for a store holding candidates in memory, no read at all).
   */
  getRecords(
    seqs: readonly number[],
    keep?: (probe: RecordProbe) => boolean,
  ): Promise<(Uint8Array | null)[]>;
  getCluster(clusterId: string): Promise<ClusterState | null>;
  nextSeq(): Promise<number>;
  /** Stores the encoded record `bytes` under `seq`. */
  putRecord(seq: number, bytes: Buffer): void;
  /** Prepend `seq` to each bucket and keep only the newest `cap` entries. */
  pushBuckets(keys: readonly number[], seq: number, cap: number): void;
  putCluster(state: ClusterState): void;
  putVerdict(petitionId: string, verdict: DedupVerdict): void;
}

/**
 * DedupTx for a store whose reads are synchronous and see the transaction's own writes (an
 * embedded store): the engine judges a whole batch without promises or an overlay.
 */
export interface SyncDedupTx {
  getVerdict(petitionId: string): DedupVerdict | null;
  /** As DedupTx's, but the lists may be reused: valid until the next getBuckets call. */
  getBuckets(keys: readonly number[], cap: number): readonly (readonly number[])[];
  getRecords(
    seqs: readonly number[],
    keep?: (probe: RecordProbe) => boolean,
  ): (Uint8Array | null)[];
  getCluster(clusterId: string): ClusterState | null;
  nextSeq(): number;
  putRecord(seq: number, bytes: Buffer): void;
  pushBuckets(keys: readonly number[], seq: number, cap: number): void;
  putCluster(state: ClusterState): void;
  putVerdict(petitionId: string, verdict: DedupVerdict): void;
}

/** Persistence for the engine. Implementations: memory (tests), LMDB (default), Redis (shared). */
export interface DedupStore {
  /**
   * Runs `work` against a consistent view and commits its writes atomically. Implementations may
   * run `work` more than once (optimistic retry), so it must have no other side effects.
   */
  transact<T>(work: (tx: DedupTx) => Promise<T>): Promise<T>;
  /**
   * Optional fast path of an embedded store: `work` runs synchronously (once) against a view that
   * sees its own writes, which then commit atomically. Same verdicts as `transact`.
   */
  transactSync?<T>(work: (tx: SyncDedupTx) => T): Promise<T>;
  /**
   * Sets `key` to `value` unless it exists; returns the existing value, or null when this call
   * claimed it. Used by the normalizer to detect provider retries (replays) by idempotency key.
   */
  claimKey(key: string, value: string, ttlSeconds?: number): Promise<string | null>;
  /**
   * Resolves when the store answers a read now, rejects with the reason otherwise. For health
   * checks: it does not queue behind running judgements, so a busy store still answers.
   */
  ping(): Promise<void>;
  close(): Promise<void>;
}
