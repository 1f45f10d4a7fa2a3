import { exitGracefullyOnSignals, type ShutdownStep } from './graceful-shutdown';

/** Real process signal listeners, on a signal nothing else in the test process uses. */
describe('exitGracefullyOnSignals', () => {
  const SIGNAL = 'SIGUSR2';
  afterEach(() => process.removeAllListeners(SIGNAL));

  function install(steps: ShutdownStep[], deadlineMs = 1000) {
    const logged: string[] = [];
    let exited: (code: number) => void = () => undefined;
    const exit = new Promise<number>((resolve) => (exited = resolve));
    const state = exitGracefullyOnSignals(steps, {
      deadlineMs,
      signals: [SIGNAL],
      log: (level, message) => logged.push(`${level} ${message}`),
      exit: (code) => exited(code),
    });
    return { state, exit, logged };
  }

  it('runs the steps in order once, however many signals come, and exits 0', async () => {
    const ran: string[] = [];
    const step = (name: string): ShutdownStep => ({
      name,
      run: async () => {
        ran.push(`${name} start`);
        await new Promise((r) => setTimeout(r, 20));
        ran.push(`${name} end`);
      },
    });
    const { state, exit } = install([step('http'), step('app')]);
    expect(state.stopping).toBe(false);
    process.emit(SIGNAL, SIGNAL);
    process.emit(SIGNAL, SIGNAL);
    expect(state.stopping).toBe(true);
    expect(await exit).toBe(0);
    expect(ran).toEqual(['http start', 'http end', 'app start', 'app end']);
  });

  it('runs the later steps after a failed one, then exits 1', async () => {
    const ran: string[] = [];
    const { exit, logged } = install([
      { name: 'http', run: () => Promise.reject(new Error('boom')) },
      { name: 'app', run: () => Promise.resolve(void ran.push('app')) },
    ]);
    process.emit(SIGNAL, SIGNAL);
    expect(await exit).toBe(1);
    expect(ran).toEqual(['app']);
    expect(logged).toContain('error shutdown step failed');
  });

  it('exits 1 at the deadline when a step never ends', async () => {
    const { exit, logged } = install(
      [{ name: 'app', run: () => new Promise(() => undefined) }],
      50,
    );
    const started = Date.now();
    process.emit(SIGNAL, SIGNAL);
    expect(await exit).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(logged).toContain('error shutdown deadline passed; exiting with work unfinished');
  });

  it('replaces listeners already on the signal (Nest re-raises it after its own close)', () => {
    const earlier = jest.fn();
    process.on(SIGNAL, earlier);
    install([]);
    expect(process.listeners(SIGNAL)).not.toContain(earlier);
    expect(process.listenerCount(SIGNAL)).toBe(1);
  });

  it('takes the signal back from a listener added later (an app built after it)', async () => {
    const ran: string[] = [];
    const { state, exit } = install([
      { name: 'app', run: () => Promise.resolve(void ran.push('app')) },
    ]);
    const later = jest.fn();
    process.on(SIGNAL, later);
    state.reclaim();
    process.emit(SIGNAL, SIGNAL);
    expect(await exit).toBe(0);
    expect(later).not.toHaveBeenCalled();
    expect(ran).toEqual(['app']);
  });
});
