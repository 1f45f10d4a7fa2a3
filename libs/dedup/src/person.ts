import { fmix32 } from './min-hash.fingerprint';
import { decodeRecordHead, type RecordHead } from './record.codec';

/**
 * One person across identifiers. Every stored petition is also in one identity bucket per
 * identifier it was sent under, so a judgement finds its sender's recent petitions by identifier,
 * whatever they were about, and learns the identifiers those gave beside the shared one. A letter
 * giving an ID number and a phone thus links the two: a later letter under the ID number alone is
 * the same person as an earlier SMS from that phone on another matter, though no stored record
 * holds both the SMS's phone and the later ID number.
 *
 * The link reaches one petition away from the sender's own identifiers (the ID number's letters
 * name the phone; the phone's own petitions are then found too), not along chains of petitions
 * each adding another identifier: a person table would, at the cost of state of its own in every
 * store.
 */

/** Newest petitions read per identifier: enough to link, bounded for a prolific sender. */
export const PERSON_RECORDS_PER_IDENTIFIER = 8;
/** Identity digests one judgement treats as its sender's, its own included. */
export const MAX_PERSON_IDENTITIES = 8;

/**
 * Bucket key of an identifier, from the first 32 bits of its digest. Identity buckets share the
 * key space with LSH bands and entity buckets; a clash only adds candidates, whose stored
 * digests are checked.
 */
export function identityBucket(digestWord: number): number {
  // Signed, like LSH band keys (see bandKeysOf): unboxed in arrays and Maps.
  return fmix32((digestWord ^ 0x6a09e667) >>> 0) | 0;
}

/** identityBucket of a hex digest (hashIdentity's form). */
export function identityBucketOf(digest: string): number {
  return identityBucket(Number.parseInt(digest.slice(0, 8), 16));
}

/** Every identity digest a stored petition was sent under, the primary first. */
export function digestsOf(record: RecordHead): readonly string[] {
  if (record.identity === null) return [];
  return record.otherIdentities ? [record.identity, ...record.otherIdentities] : [record.identity];
}

/**
 * Whether a stored petition was sent under any of these identity digests (digestsOf without its
 * array: this runs several times per candidate).
 */
export function sharesIdentity(identities: readonly string[], record: RecordHead): boolean {
  if (identities.length === 0 || record.identity === null) return false;
  return (
    identities.includes(record.identity) ||
    (record.otherIdentities?.some((d) => identities.includes(d)) ?? false)
  );
}

/** Distinct seqs of lists[from..to), the first `perList` (newest) of each. */
export function newestSeqs(
  lists: readonly (readonly number[])[],
  from: number,
  to: number,
  perList: number,
): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) {
    const list = lists[i] ?? [];
    for (let j = 0; j < list.length && j < perList; j++) {
      const s = list[j] ?? 0;
      if (!out.includes(s)) out.push(s);
    }
  }
  return out;
}

/** A sender as one judgement sees it. */
export interface Person {
  /** The petition's own digests first, then those its identifiers' petitions gave beside them. */
  identities: string[];
  /** Stored petitions sent under any of the petition's own identifiers. */
  seqs: number[];
}

/**
 * The person behind `own` digests, from the records read out of their identity buckets (`seqs`
 * and `records` in the same order; null where the store holds none or it is out of the horizon).
 * Records that only share a bucket, not a digest, are left out.
 */
export function personOf(
  own: readonly string[],
  seqs: readonly number[],
  records: readonly (Uint8Array | null)[],
): Person {
  const identities = [...own];
  const found: number[] = [];
  for (let i = 0; i < records.length; i++) {
    const bytes = records[i];
    if (!bytes) continue;
    const head = decodeRecordHead(bytes);
    if (!sharesIdentity(own, head)) continue;
    found.push(seqs[i] ?? 0);
    for (const d of digestsOf(head)) {
      if (identities.length >= MAX_PERSON_IDENTITIES) break;
      if (!identities.includes(d)) identities.push(d);
    }
  }
  return { identities, seqs: found };
}

/** Of records read from the buckets of `linked` digests, the seqs of those sent under one. */
export function linkedSeqs(
  linked: readonly string[],
  seqs: readonly number[],
  records: readonly (Uint8Array | null)[],
): number[] {
  const out: number[] = [];
  for (let i = 0; i < records.length; i++) {
    const bytes = records[i];
    if (bytes && sharesIdentity(linked, decodeRecordHead(bytes))) out.push(seqs[i] ?? 0);
  }
  return out;
}
