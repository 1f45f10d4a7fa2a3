import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * Watches this process's event loop while hostile requests run against the in-process gateway.
 * The gateway and the test share the loop (startStack boots it here), so a request that blocks it
 * shows up as the histogram's maximum delay.
 */
export interface LoopWatch {
  /** The longest the loop was held since the watch started (or was last reset), in ms. */
  maxMs(): number;
  reset(): void;
  stop(): void;
}

/** The bound the hostile suites hold every request to (issue 24: 50 ms at the body limit). */
export const EVENT_LOOP_BOUND_MS = Number(process.env.EVENT_LOOP_BOUND_MS ?? 50);

export function watchEventLoop(resolutionMs = 10): LoopWatch {
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  return {
    // The histogram counts the timer's lateness in ns, resolution included.
    maxMs: () => Math.max(0, histogram.max / 1e6 - resolutionMs),
    reset: () => histogram.reset(),
    stop: () => histogram.disable(),
  };
}
