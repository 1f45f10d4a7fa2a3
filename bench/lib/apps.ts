import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizerNice, normalizerNodeFlags } from './node-flags';

export const ROOT = join(__dirname, '..', '..');

const MAIN = {
  gateway: join(ROOT, 'dist/apps/gateway/apps/gateway/src/main.js'),
  normalizer: join(ROOT, 'dist/apps/normalizer/apps/normalizer/src/main.js'),
};

export interface AppsOptions {
  brokers: string;
  namespace: string;
  port: number;
  partitions: number;
  gatewayEnv: Record<string, string>;
  /** Write a CPU profile of each app (started/stopped with startProfiles/stopProfiles) here. */
  profileDir?: string;
}

export interface AppProcess {
  name: 'gateway' | 'normalizer';
  child: ChildProcess;
  profile?: string;
  /** Resident set size now and its peak (kB), from /proc. */
  memory(): { rssKb: number; peakKb: number };
}

/** The two apps as real, separate processes, built from dist, with their own fresh state dirs. */
export class Apps {
  readonly gateway: AppProcess;
  readonly normalizer: AppProcess;
  readonly url: string;
  /** The normalizer's GET /metrics (its port is the gateway's + 1). */
  readonly normalizerMetricsUrl: string;
  private readonly stateDir: string;
  private exited: string[] = [];

  constructor(private readonly options: AppsOptions) {
    for (const file of Object.values(MAIN)) {
      if (!existsSync(file)) throw new Error(`${file} is missing: build the apps first`);
    }
    this.stateDir = mkdtempSync(join(tmpdir(), 'bench-state-'));
    this.url = `http://127.0.0.1:${options.port}`;
    this.normalizerMetricsUrl = `http://127.0.0.1:${options.port + 1}/metrics`;
    const common = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      KAFKA_BROKERS: options.brokers,
      TOPIC_NAMESPACE: options.namespace,
      TOPIC_PARTITIONS: String(options.partitions),
      LOG_LEVEL: 'warn',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
    };
    this.normalizer = this.spawn('normalizer', {
      ...common,
      STATE_DIR: join(this.stateDir, 'normalizer'),
      IDENTITY_KEY_SECRET: 'bench-identity-secret-0123456789',
      NORMALIZER_GROUP_ID: `normalizer-${options.namespace}`,
      NORMALIZER_INSTANCE_ID: 'bench',
      // Its /metrics split each event's delay into stages (bench/lib/record-stages.ts).
      NORMALIZER_PORT: String(options.port + 1),
      NORMALIZER_HOST: '127.0.0.1',
    });
    this.gateway = this.spawn('gateway', {
      ...common,
      CHANNELS_CONFIG: this.benchChannelsConfig(),
      PORT: String(options.port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: this.url,
      GATEWAY_STATE_DIR: join(this.stateDir, 'gateway'),
      ...options.gatewayEnv,
    });
    this.setNormalizerNice();
  }

  /**
   * The shipped channels.yaml with the per-key rate limits lifted: the bench is one sender per
   * channel at thousands of requests a second, which a production per-key limit rightly refuses.
   */
  private benchChannelsConfig(): string {
    const shipped = readFileSync(join(ROOT, 'config', 'channels.yaml'), 'utf8');
    const lifted = shipped.replace(
      /rateLimit: \{[^}]*\}/g,
      'rateLimit: { burst: 100000, perMinute: 1000000 }',
    );
    const path = join(this.stateDir, 'channels.yaml');
    writeFileSync(path, lifted);
    return path;
  }

  private spawn(name: 'gateway' | 'normalizer', env: Record<string, string>): AppProcess {
    const args: string[] = [];
    let profile: string | undefined;
    if (this.options.profileDir) {
      profile = join(this.options.profileDir, `${name}.cpuprofile`);
      args.push(
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        join(ROOT, 'bench/support/profiler-preload.ts'),
      );
      env = { ...env, BENCH_CPU_PROFILE: profile, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') };
    }
    if (name === 'normalizer') args.unshift(...normalizerNodeFlags());
    const child = spawn(process.execPath, [...args, MAIN[name]], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code, signal) => {
      this.exited.push(`${name} exited (${code ?? signal})`);
    });
    return {
      name,
      child,
      profile,
      memory: () => procMemory(child.pid),
    };
  }

  /** Waits until GET /health says Kafka is up (the gateway has created topics and connected). */
  async ready(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.assertAlive();
      const status = await httpGet(`${this.url}/health`).catch(() => 0);
      if (status === 200) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`gateway not healthy after ${timeoutMs} ms`);
  }

  /**
   * The normalizer's CPU priority (niceness), as `npm start` sets it (config/normalizer.nice); the
   * bench changes it between runs to measure against the default priority.
   */
  setNormalizerNice(nice: number = normalizerNice()): void {
    if (this.normalizer.child.pid !== undefined) setPriority(this.normalizer.child.pid, nice);
  }

  assertAlive(): void {
    if (this.exited.length > 0) throw new Error(this.exited.join('; '));
  }

  /** Sends SIGWINCH to both apps: starts, then (second call) writes, their CPU profiles. */
  signalProfilers(): void {
    if (!this.options.profileDir) return;
    this.gateway.child.kill('SIGWINCH');
    this.normalizer.child.kill('SIGWINCH');
  }

  async waitForProfiles(timeoutMs = 30_000): Promise<string[]> {
    const files = [this.gateway.profile, this.normalizer.profile].filter(
      (f): f is string => f !== undefined,
    );
    const deadline = Date.now() + timeoutMs;
    while (files.some((f) => !existsSync(f)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    // A profile is written in one call; give it a moment to finish on a slow disk.
    await new Promise((r) => setTimeout(r, 500));
    return files.filter((f) => existsSync(f));
  }

  async stop(): Promise<void> {
    // Gateway first (no new raw records), then the normalizer.
    for (const app of [this.gateway, this.normalizer]) await stopChild(app.child);
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

function procMemory(pid: number | undefined): { rssKb: number; peakKb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number =>
      Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rssKb: kb('VmRSS'), peakKb: kb('VmHWM') };
  } catch {
    return { rssKb: 0, peakKb: 0 };
  }
}

function httpGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** POSTs one request and returns status and body (for the channel probe). */
export function httpPost(
  base: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}
