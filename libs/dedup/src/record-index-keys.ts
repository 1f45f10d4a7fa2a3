import { entityBucket } from './entity-keys';
import { bandKeysOf } from './min-hash.fingerprint';
import { identityBucket, identityBucketOf } from './person';
import { recordEntities, recordIdentityWords, recordSignature } from './record.codec';

function distinctBuckets<T>(items: readonly T[], bucketOf: (item: T) => number): number[] {
  const out: number[] = [];
  for (const item of items) {
    const b = bucketOf(item);
    if (!out.includes(b)) out.push(b);
  }
  return out;
}

/** Distinct entity buckets of a petition's entity codes (the weak and complete forms share one). */
export function entityBucketsOf(codes: readonly number[]): number[] {
  return distinctBuckets(codes, entityBucket);
}

/** Distinct identity buckets of identity digests (person.ts). */
export function identityBucketsOf(digests: readonly string[]): number[] {
  return distinctBuckets(digests, identityBucketOf);
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
