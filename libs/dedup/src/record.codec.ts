import { MINHASH_SIZE } from './min-hash.fingerprint';
import type { ClusterState, DedupVerdict, PetitionRecord } from './dedup.types';

/**
 * Binary layout of a stored petition, shared by the LMDB and Redis stores so both hold the same
 * bytes. Compact on purpose: bytes per petition decide how many fit in the windows we keep.
 *   u8 version | f64 receivedAt | u32 seq | u8 flags | [8 identity] | 64×u16 signature
 *   | u16 shingleCount | u8 n | n×u32 entity codes | [u32 matters]
 *   | str petitionId | str clusterId ('' = petitionId) | [str locality]
 *   | [u8 n | n×8 other identities] | [str duplicateOf]
 * The other identities (HAS_OTHER_IDENTITIES) and duplicateOf (HAS_DUPLICATE_OF) come last and are
 * not a new version: a process that predates them reads the rest of the record unchanged and only
 * misses the link they make.
 * Version 4 added the matters mask (present when flags has HAS_MATTERS). Version 3 records, the
 * same layout without it, are still read: their matters are unknown. Versions 3 and 4 hold
 * one-permutation MinHash signatures (FINGERPRINT_FORMAT 2). Versions 1 and 2 held 64-permutation
 * signatures that cannot be compared with these: they are refused, not misjudged. Version 4 is a
 * new number, not a new flag alone, so that an older process sharing a Redis store refuses these
 * records instead of reading the mask as a string length.
 * The engine reads receivedAt, the signature and the entities straight from the bytes of every
 * candidate and decodes only the records it keeps.
 */
const VERSION = 4;
/** Still read: version 4 without the matters mask. */
const VERSION_WITHOUT_MATTERS = 3;
const HAS_IDENTITY = 1;
const HAS_LOCALITY = 2;
const HAS_MATTERS = 4;
const HAS_OTHER_IDENTITIES = 8;
const HAS_DUPLICATE_OF = 16;
const FLAGS_AT = 13;
const IDENTITY_BYTES = 8;
/** Other identifiers kept per petition (ID number, phone, e-mail, account: the primary plus 3). */
export const MAX_OTHER_IDENTITIES = 3;

function identityBytes(hex: string): Buffer {
  const b = Buffer.from(hex, 'hex');
  if (b.length !== IDENTITY_BYTES) throw new RangeError('identity hash must be 8 bytes');
  return b;
}

function strBytes(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  if (b.length > 0xffff) throw new RangeError('string too long for the dedup record');
  return b;
}

export function encodeRecord(rec: PetitionRecord): Buffer {
  const id = strBytes(rec.petitionId);
  const cluster = strBytes(rec.clusterId === rec.petitionId ? '' : rec.clusterId);
  const loc = rec.locality === null ? null : strBytes(rec.locality);
  const identity = rec.identity === null ? null : identityBytes(rec.identity);
  const others = (rec.otherIdentities ?? []).slice(0, MAX_OTHER_IDENTITIES).map(identityBytes);
  const duplicateOf = rec.duplicateOf === undefined ? null : strBytes(rec.duplicateOf);
  if (rec.signature.length !== MINHASH_SIZE) throw new RangeError('signature has the wrong size');
  const entities = (rec.entities ?? []).slice(0, 255);
  const matters = rec.matters;
  const size =
    1 +
    8 +
    4 +
    1 +
    (identity ? IDENTITY_BYTES : 0) +
    MINHASH_SIZE * 2 +
    3 +
    entities.length * 4 +
    (matters === undefined ? 0 : 4) +
    2 +
    id.length +
    2 +
    cluster.length;
  // Every byte is written below: no zero-fill.
  const buf = Buffer.allocUnsafe(
    size +
      (loc ? 2 + loc.length : 0) +
      (others.length > 0 ? 1 + others.length * IDENTITY_BYTES : 0) +
      (duplicateOf ? 2 + duplicateOf.length : 0),
  );
  let o = buf.writeUInt8(VERSION, 0);
  o = buf.writeDoubleBE(rec.receivedAt, o);
  o = buf.writeUInt32BE(rec.seq, o);
  o = buf.writeUInt8(
    (identity ? HAS_IDENTITY : 0) |
      (loc ? HAS_LOCALITY : 0) |
      (matters === undefined ? 0 : HAS_MATTERS) |
      (others.length > 0 ? HAS_OTHER_IDENTITIES : 0) |
      (duplicateOf ? HAS_DUPLICATE_OF : 0),
    o,
  );
  if (identity) o += identity.copy(buf, o);
  for (let k = 0; k < MINHASH_SIZE; k++) o = buf.writeUInt16BE(rec.signature[k] ?? 0, o);
  o = buf.writeUInt16BE(Math.min(0xffff, Math.max(0, Math.floor(rec.shingleCount ?? 0))), o);
  o = buf.writeUInt8(entities.length, o);
  for (const e of entities) o = buf.writeUInt32BE(e >>> 0, o);
  if (matters !== undefined) o = buf.writeUInt32BE(matters >>> 0, o);
  for (const s of loc ? [id, cluster, loc] : [id, cluster]) {
    o = buf.writeUInt16BE(s.length, o);
    o += s.copy(buf, o);
  }
  if (others.length > 0) {
    o = buf.writeUInt8(others.length, o);
    for (const other of others) o += other.copy(buf, o);
  }
  if (duplicateOf) {
    o = buf.writeUInt16BE(duplicateOf.length, o);
    o += duplicateOf.copy(buf, o);
  }
  return buf;
}

/** The whole record: its head (decodeRecordHead), signature and entities. */
export function decodeRecord(buf: Uint8Array): PetitionRecord {
  const head = decodeRecordHead(buf);
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const at = signatureAt(b);
  const signature = new Uint16Array(MINHASH_SIZE);
  for (let k = 0; k < MINHASH_SIZE; k++) signature[k] = b.readUInt16BE(at + k * 2);
  return { ...head, signature, entities: recordEntities(b) };
}

function checkVersion(buf: Uint8Array): void {
  const version = buf[0];
  if (version === VERSION || version === VERSION_WITHOUT_MATTERS) return;
  throw new Error(
    version === 1 || version === 2
      ? `dedup record version ${version} was written with the old 64-permutation MinHash; this store must be rebuilt or emptied`
      : `unknown dedup record version ${version}`,
  );
}

function signatureAt(buf: Uint8Array): number {
  return recordSignatureOffset(buf, 0);
}

/** Offset of the signature in a record that starts at `start` in `buf` (always even). */
export function recordSignatureOffset(buf: Uint8Array, start: number): number {
  return FLAGS_AT + 1 + ((buf[start + FLAGS_AT] ?? 0) & HAS_IDENTITY ? IDENTITY_BYTES : 0);
}

/** receivedAt of an encoded record, without decoding it. */
export function recordReceivedAt(buf: Uint8Array): number {
  checkVersion(buf);
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getFloat64(1);
}

/** Signature positions equal to `signature` (MINHASH_SIZE values), read from the record's bytes. */
export function recordSignatureMatches(buf: Uint8Array, signature: Uint16Array): number {
  let o = signatureAt(buf);
  let equal = 0;
  for (let k = 0; k < MINHASH_SIZE; k++, o += 2)
    if ((((buf[o] ?? 0) << 8) | (buf[o + 1] ?? 0)) === signature[k]) equal++;
  return equal;
}

/** The record's signature, copied out of its bytes. */
export function recordSignature(buf: Uint8Array): Uint16Array {
  return recordSignatureInto(buf, new Uint16Array(MINHASH_SIZE), 0);
}

/** Copies the record's signature into `out` at `offset`; returns `out`. */
export function recordSignatureInto(
  buf: Uint8Array,
  out: Uint16Array,
  offset: number,
): Uint16Array {
  let o = signatureAt(buf);
  for (let k = 0; k < MINHASH_SIZE; k++, o += 2)
    out[offset + k] = ((buf[o] ?? 0) << 8) | (buf[o + 1] ?? 0);
  return out;
}

/** The record's entity codes, read from its bytes. */
export function recordEntities(buf: Uint8Array): number[] {
  let o = signatureAt(buf) + MINHASH_SIZE * 2 + 2;
  const n = buf[o] ?? 0;
  o += 1;
  const out: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++, o += 4)
    out[i] =
      (((buf[o] ?? 0) << 24) |
        ((buf[o + 1] ?? 0) << 16) |
        ((buf[o + 2] ?? 0) << 8) |
        (buf[o + 3] ?? 0)) >>>
      0;
  return out;
}

/** What the engine needs of a candidate it keeps: everything but the signature and entities. */
export type RecordHead = Omit<PetitionRecord, 'signature' | 'entities'>;

/** Decodes a record without its signature and entities (already scored from the bytes). */
export function decodeRecordHead(buf: Uint8Array): RecordHead {
  checkVersion(buf);
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const flags = b[FLAGS_AT] ?? 0;
  const sig = signatureAt(b);
  let o = sig + MINHASH_SIZE * 2;
  const shingleCount = b.readUInt16BE(o);
  o += 3 + (b[o + 2] ?? 0) * 4;
  // Version 3 never sets HAS_MATTERS.
  let matters: number | undefined;
  if (flags & HAS_MATTERS) {
    matters = b.readUInt32BE(o);
    o += 4;
  }
  const readStr = (): string => {
    const len = b.readUInt16BE(o);
    const s = b.toString('utf8', o + 2, o + 2 + len);
    o += 2 + len;
    return s;
  };
  const petitionId = readStr();
  const cluster = readStr();
  const locality = flags & HAS_LOCALITY ? readStr() : null;
  const head: RecordHead = {
    seq: b.readUInt32BE(9),
    petitionId,
    identity:
      flags & HAS_IDENTITY ? b.toString('hex', FLAGS_AT + 1, FLAGS_AT + 1 + IDENTITY_BYTES) : null,
    locality,
    receivedAt: b.readDoubleBE(1),
    clusterId: cluster === '' ? petitionId : cluster,
    shingleCount,
    matters,
  };
  if (flags & HAS_OTHER_IDENTITIES) {
    const n = b[o] ?? 0;
    const others: string[] = [];
    for (let i = 0; i < n; i++) {
      const at = o + 1 + i * IDENTITY_BYTES;
      others.push(b.toString('hex', at, at + IDENTITY_BYTES));
    }
    head.otherIdentities = others;
    o += 1 + n * IDENTITY_BYTES;
  }
  if (flags & HAS_DUPLICATE_OF) head.duplicateOf = readStr();
  return head;
}

/**
 * The first 32 bits of each identity digest of a record (primary first), read from its bytes
 * without decoding its strings into JS strings: what an index rebuild needs for identity buckets.
 */
export function recordIdentityWords(buf: Uint8Array): number[] {
  const flags = buf[FLAGS_AT] ?? 0;
  if (!(flags & HAS_IDENTITY)) return [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = [view.getUint32(FLAGS_AT + 1)];
  if (!(flags & HAS_OTHER_IDENTITIES)) return out;
  let o = signatureAt(buf) + MINHASH_SIZE * 2 + 2;
  o += 1 + (buf[o] ?? 0) * 4;
  if (flags & HAS_MATTERS) o += 4;
  for (let strings = flags & HAS_LOCALITY ? 3 : 2; strings > 0; strings--)
    o += 2 + view.getUint16(o);
  const n = buf[o] ?? 0;
  for (let i = 0; i < n; i++) out.push(view.getUint32(o + 1 + i * IDENTITY_BYTES));
  return out;
}

/** Bucket entries packed as big-endian u32 sequence numbers, newest first. */
export function packSeqs(seqs: readonly number[]): Buffer {
  const buf = Buffer.alloc(seqs.length * 4);
  seqs.forEach((s, i) => buf.writeUInt32BE(s, i * 4));
  return buf;
}

export function unpackSeqs(buf: Uint8Array | undefined | null): number[] {
  if (!buf) return [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: number[] = [];
  for (let o = 0; o + 4 <= buf.byteLength; o += 4) out.push(view.getUint32(o));
  return out;
}

export function pushSeq(existing: readonly number[], seq: number, cap: number): number[] {
  return [seq, ...existing.filter((s) => s !== seq)].slice(0, Math.max(1, cap));
}

export function encodeCluster(state: ClusterState): string {
  return JSON.stringify(state);
}

export function decodeCluster(text: string): ClusterState {
  return JSON.parse(text) as ClusterState;
}

export function encodeVerdict(verdict: DedupVerdict): string {
  return JSON.stringify(verdict);
}

export function decodeVerdict(text: string): DedupVerdict {
  return JSON.parse(text) as DedupVerdict;
}
