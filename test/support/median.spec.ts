import { median } from './median';

describe('median', () => {
  it('is the middle value, or the mean of the middle two, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([2.72, 1.3, 1.4, 1.29, 1.42, 1.35])).toBeCloseTo(1.375);
  });

  it('is NaN for no values', () => {
    expect(median([])).toBeNaN();
  });
});
