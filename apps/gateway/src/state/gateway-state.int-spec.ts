import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { GatewayState } from './gateway-state.port';
import { LmdbGatewayState } from './lmdb-gateway-state';
import { RedisGatewayState } from './redis-gateway-state';

/** A real redis-server on a port of its own (other suites start and stop theirs). */
const PORT = process.env.TEST_REDIS_STATE_PORT ?? '16382';
const URL = `redis://127.0.0.1:${PORT}`;
const script = resolve(__dirname, '..', '..', '..', '..', 'scripts', 'redis.sh');
const redisEnv = { ...process.env, REDIS_PORT: PORT, REDIS_DATA_DIR: '' };
const run = `${process.pid}-${Date.now()}`;
let n = 0;
const opened: GatewayState[] = [];
const dirs: string[] = [];

beforeAll(() => {
  redisEnv.REDIS_DATA_DIR = mkdtempSync(join(tmpdir(), 'gateway-state-redis-'));
  execFileSync('bash', [script, 'start'], { env: redisEnv, stdio: 'inherit' });
}, 180_000);

afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  execFileSync('bash', [script, 'stop'], { env: redisEnv, stdio: 'inherit' });
  for (const d of [...dirs, redisEnv.REDIS_DATA_DIR]) rmSync(d, { recursive: true, force: true });
});

/** Two replicas' views of one state: two Redis connections, or one LMDB (one instance only). */
function replicas(kind: 'lmdb' | 'redis', lockTtlMs?: number): [GatewayState, GatewayState] {
  if (kind === 'redis') {
    const prefix = `test:${run}:${++n}:`;
    const a = RedisGatewayState.connect(URL, { prefix, lockTtlMs });
    const b = RedisGatewayState.connect(URL, { prefix, lockTtlMs });
    opened.push(a, b);
    return [a, b];
  }
  const dir = mkdtempSync(join(tmpdir(), 'gateway-state-lmdb-'));
  dirs.push(dir);
  const s = new LmdbGatewayState(dir);
  opened.push(s);
  return [s, s];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(['lmdb', 'redis'] as const)('gateway state on %s', (kind) => {
  it('keeps records, writes several at once, expires, deletes and scans by prefix', async () => {
    const [a, b] = replicas(kind);
    await a.putAll('ns', [
      { key: 'p:1', value: { n: 1 } },
      { key: 'p:2', value: { n: 2 }, ttlMs: 400 },
      { key: 'q:1', value: { n: 3 } },
    ]);
    expect(await b.get('ns', 'p:1')).toEqual({ n: 1 });
    expect(await b.get('other', 'p:1')).toBeUndefined();
    const scanned: string[] = [];
    for await (const { key } of b.scan('ns', 'p:')) scanned.push(key);
    expect(scanned.sort()).toEqual(['p:1', 'p:2']);
    await sleep(600);
    expect(await b.get('ns', 'p:2')).toBeUndefined();
    await a.delete('ns', 'p:1');
    expect(await b.get('ns', 'p:1')).toBeUndefined();
    expect(await b.get('ns', 'q:1')).toEqual({ n: 3 });
  });

  it('a lock excludes every other holder of the key, on either replica', async () => {
    const [a, b] = replicas(kind);
    let inside = 0;
    let most = 0;
    let other = 0;
    const work = (s: GatewayState, key: string) =>
      s.withLock(key, async () => {
        if (key === 'k') {
          most = Math.max(most, ++inside);
          await sleep(3);
          inside--;
        } else other++;
      });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => work(i % 2 ? a : b, i % 10 === 0 ? 'other' : 'k')),
    );
    expect(most).toBe(1);
    expect(other).toBe(3);
  });

  it('a bucket hands out exactly its burst to concurrent takers on both replicas', async () => {
    const [a, b] = replicas(kind);
    const now = Date.now();
    const decisions = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).takeToken('ip', 5, 3600, now)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    expect(await a.peekToken('ip', 5, 3600, now)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(await b.peekToken('ip', 5, 3600, now + 1000)).toEqual({ allowed: true });
    expect(await b.peekToken('elsewhere', 5, 3600, now)).toEqual({ allowed: true });
  });

  it('a lease has one holder, renews, and changes hands with a larger fencing token', async () => {
    const [a, b] = replicas(kind);
    const first = await a.lease('imap:inbox', 'replica-a', 80);
    expect(first.granted).toBe(true);
    expect(await a.lease('imap:inbox', 'replica-a', 80)).toEqual(first);
    if (kind === 'lmdb') return; // one instance: nobody else to hand it to
    expect((await b.lease('imap:inbox', 'replica-b', 80)).granted).toBe(false);
    await sleep(150); // replica-a died: its lease runs out
    const second = await b.lease('imap:inbox', 'replica-b', 80);
    expect(second.granted).toBe(true);
    expect(second.token).toBeGreaterThan(first.token);
    await b.releaseLease('imap:inbox', 'replica-b');
    expect((await a.lease('imap:inbox', 'replica-a', 80)).token).toBeGreaterThan(second.token);
  });
});

describe('gateway state on redis: a dead holder', () => {
  it('frees its lock after the lock TTL', async () => {
    const [a, b] = replicas('redis', 200);
    // replica-a takes the lock and never comes back (its task never ends, nothing renews it).
    const dead = a.withLock('k', () => new Promise<never>(() => undefined));
    await sleep(30);
    await (a as RedisGatewayState).close();
    const started = Date.now();
    await b.withLock('k', () => Promise.resolve());
    expect(Date.now() - started).toBeLessThan(2000);
    void dead.catch(() => undefined);
  });
});
