/** The median of `xs` (the mean of the middle two when their count is even); NaN when empty. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const middle = s.length >> 1;
  if (s.length === 0) return NaN;
  return s.length % 2 === 1
    ? (s[middle] as number)
    : ((s[middle - 1] as number) + (s[middle] as number)) / 2;
}
