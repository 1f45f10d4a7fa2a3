import { RECORD_STAGES, splitRecord, wallClockMs, type BatchTiming } from './record-timing';

const timing: BatchTiming = {
  handedAt: 10_000,
  groupStartedAt: 10_040,
  judgedAt: 10_055,
  claimedAt: 10_057,
  committedAt: 10_069,
};

describe('splitRecord', () => {
  it('splits produced → committed into consecutive stages, in seconds', () => {
    const split = splitRecord(9_900, timing);
    expect(split).toEqual({
      fetch: 0.1,
      queue: 0.04,
      judge: 0.015,
      claims: 0.002,
      transaction: 0.012,
      total: 0.169,
    });
    const sum = RECORD_STAGES.reduce((a, s) => a + split[s], 0);
    expect(sum).toBeCloseTo(split.total, 12);
  });

  it("counts no negative fetch when the producer's clock is ahead, and keeps the sum", () => {
    const split = splitRecord(10_500, timing);
    expect(split.fetch).toBe(0);
    expect(split.total).toBeCloseTo(0.069, 12);
    expect(RECORD_STAGES.reduce((a, s) => a + split[s], 0)).toBeCloseTo(split.total, 12);
  });

  it('reads the wall clock on the Date.now() scale with sub-millisecond steps', () => {
    const now = Date.now();
    const a = wallClockMs();
    expect(Math.abs(a - now)).toBeLessThan(50);
    expect(wallClockMs()).toBeGreaterThanOrEqual(a);
  });
});
