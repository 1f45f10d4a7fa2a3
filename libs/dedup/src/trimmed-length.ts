/**
 * How many elements an in-memory index keeps when trimmed after a rebuild from disk: those in use
 * and an eighth more. Trimmed to exactly what was in use, the first judgement after a restart
 * outgrew every array at once and doubled it: at 1M stored that judgement took 184 ms and the
 * index went from 534 to 813 MiB. With the eighth, the next ~125k petitions fit first.
 */
export function trimmedLength(used: number): number {
  return Math.max(1, used + (used >>> 3));
}
