import { chunkByBytes } from './transactional-normalizer';

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
