import { chunkByBytes, failureReason } from './transactional-normalizer';

describe('chunkByBytes', () => {
  const rec = (i: number, size: number) => ({ topic: 't', key: `k${i}`, value: 'x'.repeat(size) });

  it('keeps order and puts every record in exactly one chunk under the byte bound', () => {
    const records = Array.from({ length: 50 }, (_, i) => rec(i, 100_000));
    const chunks = chunkByBytes(records, 512 * 1024);
    expect(chunks.flat()).toEqual(records);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks)
      expect(c.reduce((n, r) => n + r.value.length, 0)).toBeLessThanOrEqual(512 * 1024);
  });

  it('sends a record larger than the bound alone rather than dropping it', () => {
    const chunks = chunkByBytes([rec(0, 10), rec(1, 2_000_000), rec(2, 10)], 512 * 1024);
    expect(chunks.map((c) => c.map((r) => r.key))).toEqual([['k0'], ['k1'], ['k2']]);
  });

  it('returns no chunk for no records', () => {
    expect(chunkByBytes([], 1024)).toEqual([]);
  });
});

describe('failureReason', () => {
  it('names a failure by its error, briefly', () => {
    const replyError = new Error('NOREPLICAS Not enough good replicas to write.');
    replyError.name = 'ReplyError';
    expect(failureReason(replyError)).toBe(
      'ReplyError: NOREPLICAS Not enough good replicas to write.',
    );
    expect(failureReason(new Error('dedup store closed'))).toBe('dedup store closed');
    expect(failureReason('broker gone')).toBe('broker gone');
    const long = failureReason(new Error('x'.repeat(500)));
    expect(long).toHaveLength(200);
    expect(long.endsWith('…')).toBe(true);
  });
});
