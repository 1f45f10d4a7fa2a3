/** One stage of a shutdown, run after the one before it has finished. */
export interface ShutdownStep {
  /** Named in the log line when the step fails or the deadline passes while it runs. */
  name: string;
  run: () => Promise<void>;
}

export interface GracefulShutdownOptions {
  /**
   * The process exits by then whatever is still running (status 1): process managers send
   * SIGKILL after their own grace period (10 s for Docker, Kubernetes waits 30 s, systemd 90 s).
   */
  deadlineMs: number;
  log: (level: 'info' | 'error', message: string, extra?: object) => void;
  signals?: readonly NodeJS.Signals[];
  /** process.exit, replaced in unit specs. */
  exit?: (code: number) => void;
}

/** SIGHUP too: a closed terminal or a supervisor's restart is a request to stop, not a crash. */
const DEFAULT_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * On the first of `signals`: runs `steps` in order, then exits 0 (1 if a step failed or the
 * deadline passed). Later signals are ignored rather than cutting the shutdown short: Ctrl-C under
 * `npm start` reaches an app twice (SIGINT from the terminal, SIGTERM from scripts/start.sh).
 *
 * Any listener already on those signals is removed first: Nest's enableShutdownHooks re-raises
 * the signal after closing (exit status 143, which a supervisor reads as a failure) and would
 * close the app a second time beside these steps.
 */
export function exitGracefullyOnSignals(
  steps: readonly ShutdownStep[],
  options: GracefulShutdownOptions,
): SignalHandling {
  const signals = options.signals ?? DEFAULT_SIGNALS;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    void runSteps(steps, signal, options, exit);
  };
  const reclaim = (): void => {
    for (const signal of signals) {
      process.removeAllListeners(signal);
      process.on(signal, onSignal);
    }
  };
  reclaim();
  return {
    get stopping() {
      return stopping;
    },
    reclaim,
  };
}

export interface SignalHandling {
  /** A signal has come and the steps are running. */
  readonly stopping: boolean;
  /** Removes listeners added since (Nest's enableShutdownHooks, called while an app is built). */
  reclaim(): void;
}

async function runSteps(
  steps: readonly ShutdownStep[],
  signal: NodeJS.Signals,
  options: GracefulShutdownOptions,
  exit: (code: number) => void,
): Promise<void> {
  const startedAt = Date.now();
  let current = 'start';
  options.log('info', 'shutting down', { signal, deadlineMs: options.deadlineMs });
  const deadline = setTimeout(() => {
    options.log('error', 'shutdown deadline passed; exiting with work unfinished', {
      step: current,
      ms: Date.now() - startedAt,
    });
    exit(1);
  }, options.deadlineMs);
  let code = 0;
  for (const step of steps) {
    current = step.name;
    try {
      await step.run();
    } catch (error) {
      code = 1;
      options.log('error', 'shutdown step failed', { step: step.name, err: error });
    }
  }
  clearTimeout(deadline);
  options.log('info', 'stopped', { ms: Date.now() - startedAt });
  exit(code);
}

/** The part of node:http's Server that draining needs. */
interface ClosableServer {
  closeIdleConnections(): void;
  closeAllConnections(): void;
}

/**
 * Stops accepting and lets the requests in flight finish. `close` is the framework's own close
 * (Fastify answers 503 to requests that arrive meanwhile on an open connection). A connection is
 * closed as soon as its request is answered: Node closes only the connections idle at the moment
 * of close(), and one answered later would hold the server open for its keep-alive timeout
 * (72 s in Fastify). After `drainMs` every connection left is cut (a client trickling a body).
 */
export async function drainHttpServer(
  close: () => Promise<void>,
  server: ClosableServer,
  drainMs: number,
): Promise<void> {
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  const cut = setTimeout(() => server.closeAllConnections(), drainMs);
  try {
    await close();
  } finally {
    clearInterval(idle);
    clearTimeout(cut);
  }
}
