import type { GatewayState } from './gateway-state.port';

/**
 * Runs `task` holding every key at once, taken in sorted order so two callers holding overlapping
 * sets cannot deadlock (a board push touching several posts).
 */
export function withLocks<R>(
  state: GatewayState,
  keys: string[],
  task: () => Promise<R>,
): Promise<R> {
  const sorted = [...new Set(keys)].sort();
  const step = (i: number): Promise<R> => {
    const key = sorted[i];
    return key === undefined ? task() : state.withLock(key, () => step(i + 1));
  };
  return step(0);
}
