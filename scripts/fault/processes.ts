import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { join } from 'node:path';

/** Every child this driver started, so it can kill them all whatever way it ends. */
const children = new Set<ChildProcess>();
let pidFile: string | undefined;

/** Where child pids are listed, for scripts/fault.sh to kill them if this driver itself dies. */
export function recordPidsIn(path: string): void {
  pidFile = path;
}

export function killAllChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

/**
 * One of the apps as a real OS process (node on the built dist), with its output in a log file
 * per start. `kill9` is a real SIGKILL: no shutdown hooks, no flushes.
 */
export class AppProcess {
  private child: ChildProcess | undefined;
  private starts = 0;
  readonly exits: { code: number | null; signal: string | null; expected: boolean }[] = [];
  private expectExit = false;
  /** Called when the process exits without being asked to (a crash, or a signal from outside). */
  onUnexpectedExit: ((code: number | null, signal: string | null) => void) | undefined;

  constructor(
    readonly name: string,
    private readonly script: string,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    this.starts++;
    const fd = openSync(join(this.logDir, `${this.name}-${this.starts}.log`), 'a');
    const child = spawn(process.execPath, [this.script], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    this.expectExit = false;
    children.add(child);
    if (pidFile && child.pid) appendFileSync(pidFile, `${child.pid}\n`);
    child.on('exit', (code, signal) => {
      children.delete(child);
      this.exits.push({ code, signal, expected: this.expectExit });
      if (!this.expectExit) this.onUnexpectedExit?.(code, signal);
    });
    this.child = child;
  }

  /** SIGKILL, then waits until the OS has reaped it. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.expectExit = true;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }

  /** SIGTERM (graceful shutdown hooks), SIGKILL after `graceMs`. */
  async stop(graceMs = 15000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.expectExit = true;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }

  /** Exits nobody asked for (a crash) since the process was first started. */
  get unexpectedExits(): number {
    return this.exits.filter((e) => !e.expected).length;
  }
}

/** Waits until the gateway answers HTTP at all (any status), or fails after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
      await sleep(200);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs scripts/kafka.sh asynchronously (the load keeps running while the broker stops/starts). */
export function kafkaScript(
  root: string,
  command: 'start' | 'stop',
  env: Record<string, string>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(root, 'scripts', 'kafka.sh'), command], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`kafka.sh ${command} exited with ${code}`)),
    );
  });
}
