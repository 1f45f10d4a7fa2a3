import { sharedEntities } from './entity-keys';
import { recordEntities, recordReceivedAt, recordSignatureMatches } from './record.codec';
import type { RecordProbe } from './dedup.types';

/**
 * A probe over an encoded record's bytes, for stores that hand out bytes (memory, Redis, the
 * batch overlay). One instance is re-pointed at each candidate: no object per record.
 */
export class BytesProbe implements RecordProbe {
  private bytes: Uint8Array = new Uint8Array(0);

  at(bytes: Uint8Array): this {
    this.bytes = bytes;
    return this;
  }

  receivedAt(): number {
    return recordReceivedAt(this.bytes);
  }

  signatureMatches(signature: Uint16Array): number {
    return recordSignatureMatches(this.bytes, signature);
  }

  sharedEntities(codes: readonly number[]): number {
    return codes.length === 0 ? 0 : sharedEntities(codes, recordEntities(this.bytes));
  }
}

/** `keep` over bytes, for stores that read records as bytes; undefined stays undefined. */
export function keepBytes(
  keep: ((probe: RecordProbe) => boolean) | undefined,
): ((bytes: Uint8Array) => boolean) | undefined {
  if (!keep) return undefined;
  const probe = new BytesProbe();
  return (bytes) => keep(probe.at(bytes));
}
