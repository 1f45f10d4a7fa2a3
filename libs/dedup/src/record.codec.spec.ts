import { fingerprint } from './min-hash.fingerprint';
import { decodeRecord, decodeRecordHead, encodeRecord, recordIdentityWords } from './record.codec';
import type { PetitionRecord } from './dedup.types';

describe('record codec', () => {
  const fp = fingerprint('小区门口夜间施工噪音扰民');
  const records: PetitionRecord[] = [
    {
      seq: 7,
      petitionId: 'XF-7K2M9QRT4WXC8',
      identity: '0123456789abcdef',
      locality: '江北区',
      receivedAt: Date.UTC(2024, 0, 1, 8, 30),
      clusterId: 'XF-23456789ABCD2',
      signature: fp.signature,
      shingleCount: fp.shingleCount,
      entities: [6, 0xfffffff0],
      matters: 0x80000001,
    },
    {
      seq: 0xfffffffe,
      petitionId: '集体信访',
      identity: null,
      locality: null,
      receivedAt: 1.5,
      clusterId: '集体信访',
      signature: fp.signature,
      shingleCount: 0,
      entities: [],
    },
    {
      seq: 3,
      petitionId: 'p3',
      identity: null,
      locality: '渝北区',
      receivedAt: 2,
      clusterId: 'p1',
      signature: fp.signature,
      shingleCount: 12,
      entities: [9],
      matters: 0,
    },
    {
      seq: 4,
      petitionId: 'p4',
      identity: 'fedcba9876543210',
      otherIdentities: ['0011223344556677', '8899aabbccddeeff'],
      locality: null,
      receivedAt: 3,
      clusterId: 'p4',
      signature: fp.signature,
      shingleCount: 5,
      entities: [],
    },
    {
      seq: 5,
      petitionId: 'p5',
      identity: 'fedcba9876543210',
      otherIdentities: ['0011223344556677'],
      locality: '忠县',
      receivedAt: 4,
      clusterId: 'p1',
      signature: fp.signature,
      shingleCount: 5,
      entities: [3],
      matters: 2,
      duplicateOf: 'p1',
    },
  ];

  it('decodes what it encodes, whole and as a head', () => {
    for (const r of records) {
      const bytes = encodeRecord(r);
      expect(decodeRecord(bytes)).toEqual(r);
      const { signature: _s, entities: _e, ...head } = r;
      expect(decodeRecordHead(bytes)).toEqual(head);
    }
  });

  it("reads each identity digest's first word from the bytes, past entities, matters and strings", () => {
    for (const r of records) {
      const digests = r.identity === null ? [] : [r.identity, ...(r.otherIdentities ?? [])];
      expect(recordIdentityWords(encodeRecord(r))).toEqual(
        digests.map((d) => Number.parseInt(d.slice(0, 8), 16)),
      );
    }
  });

  it('appends other identities after everything else, so an older reader decodes the rest the same', () => {
    const withOthers = records[3] as PetitionRecord;
    const { otherIdentities: _o, ...without } = withOthers;
    const a = encodeRecord(withOthers);
    const b = encodeRecord(without);
    expect(a.length).toBe(b.length + 1 + 2 * 8);
    // Only the flags byte differs before the appended part.
    const differing = [...b].flatMap((byte, i) => (a[i] === byte ? [] : [i]));
    expect(differing).toEqual([13]);
    expect(() => encodeRecord({ ...without, otherIdentities: ['abc'] })).toThrow(RangeError);
  });

  it('reads version 3 records (no matters mask) as matters unknown, and refuses unknown versions', () => {
    const { matters: _m, ...withoutMask } = records[0] as PetitionRecord;
    const bytes = encodeRecord(withoutMask);
    bytes[0] = 3;
    expect(decodeRecordHead(bytes).matters).toBeUndefined();
    expect(decodeRecord(bytes)).toEqual(withoutMask);
    bytes[0] = 5;
    expect(() => decodeRecordHead(bytes)).toThrow(/unknown dedup record version 5/);
  });
});
