import { fingerprint } from './min-hash.fingerprint';
import { sharedEntities } from './entity-keys';
import { RecordColumns } from './record-columns';
import { decodeRecord, encodeRecord, recordSignatureMatches } from './record.codec';

const record = (seq: number, text: string, identity: string | null, entities: number[]) =>
  encodeRecord({
    seq,
    petitionId: `p${seq}`,
    identity,
    locality: seq % 2 ? '江北区' : null,
    receivedAt: 1_700_000_000_000 + seq,
    clusterId: `p${seq}`,
    signature: fingerprint(text).signature,
    shingleCount: 40,
    entities,
  });

describe('RecordColumns', () => {
  const texts = ['小区门口夜间施工噪音扰民', '学校周边道路拥堵', '物业收取停车费不合理', '噪音'];
  const bytes = texts.map((t, i) =>
    record(10 + i * 2, t, i % 2 ? null : '0123456789abcdef', i === 1 ? [] : [6, 9 + i]),
  );

  it('probes what the bytes say, for records with and without identity, skipping absent seqs', () => {
    const columns = new RecordColumns();
    bytes.forEach((b, i) => columns.add(10 + i * 2, b));
    const query = fingerprint(texts[0] ?? '').signature;
    for (const trimmed of [false, true]) {
      if (trimmed) columns.trim();
      bytes.forEach((b, i) => {
        expect(columns.probe(10 + i * 2)).toBe(true);
        expect(columns.receivedAt()).toBe(decodeRecord(b).receivedAt);
        expect(columns.signatureMatches(query)).toBe(recordSignatureMatches(b, query));
        expect(columns.sharedEntities([7, 11])).toBe(
          sharedEntities([7, 11], decodeRecord(b).entities ?? []),
        );
        expect(decodeRecord(columns.recordBytes())).toEqual(decodeRecord(b));
      });
      for (const absent of [9, 11, 13, 17, 100]) expect(columns.probe(absent)).toBe(false);
    }
  });

  it('touch reads the held rows of the seqs it is given and changes nothing', () => {
    const columns = new RecordColumns();
    bytes.forEach((b, i) => columns.add(10 + i * 2, b));
    columns.trim();
    const seqs = [-1, 9, 10, 11, 12, 14, 16, 17, 100];
    expect(Number.isFinite(columns.touch(seqs))).toBe(true);
    expect(columns.touch([16])).toBeGreaterThan(0); // the last record's first byte is its version
    expect(seqs.map((s) => columns.probe(s))).toEqual(
      seqs.map((s) => s >= 10 && s <= 16 && s % 2 === 0),
    );
  });

  it('refuses a seq that is not above the last one', () => {
    const columns = new RecordColumns();
    columns.add(5, bytes[0] ?? Buffer.alloc(0));
    expect(() => columns.add(5, bytes[1] ?? Buffer.alloc(0))).toThrow(RangeError);
  });
});
