import { entityBucket } from './entity-keys';
import { bandKeysOf } from './min-hash.fingerprint';
import { identityBucket, identityBucketOf } from './person';
import { recordEntities, recordIdentityWords, recordSignature } from './record.codec';

/** Distinct entity buckets of a petition's entity codes (the weak and complete forms share one). */
export function entityBucketsOf(codes: readonly number[]): number[] {
  const out: number[] = [];
  for (const c of codes) {
    const b = entityBucket(c);
    if (!out.includes(b)) out.push(b);
  }
  return out;
}

/** Distinct identity buckets of identity digests (person.ts). */
export function identityBucketsOf(digests: readonly string[]): number[] {
  const out: number[] = [];
  for (const d of digests) {
    const b = identityBucketOf(d);
    if (!out.includes(b)) out.push(b);
  }
  return out;
}

/**
 * Every bucket an encoded record belongs to: its LSH bands, its entity buckets, then its identity
 * buckets (person.ts). The engine pushes exactly these when it stores a record, so an index
 * rebuilt from records is the same.
 */
export function recordIndexKeys(bytes: Uint8Array): number[] {
  return [
    ...bandKeysOf(recordSignature(bytes)),
    ...entityBucketsOf(recordEntities(bytes)),
    ...recordIdentityWords(bytes).map(identityBucket),
  ];
}
