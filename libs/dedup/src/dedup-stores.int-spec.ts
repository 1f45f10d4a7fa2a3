import { execFileSync } from 'node:child_process';
import Redis from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DedupEngine } from './dedup.engine';
import { LmdbDedupStore } from './lmdb-dedup.store';
import { MemoryDedupStore } from './memory-dedup.store';
import { RedisDedupStore, type RedisConnectionEvent } from './redis-dedup.store';
import type { DedupStore } from './dedup.types';
import {
  GARAGE_FEES,
  runCase,
  runCaseBatched,
  caseEngine,
  testMatchText,
  VERDICT_CASES,
} from './verdict-cases.fixture';

/** A real redis-server started by the project's script on its own port; no mock. */
const PORT = process.env.TEST_REDIS_PORT ?? '16379';
const URL = `redis://127.0.0.1:${PORT}`;
const script = resolve(__dirname, '..', '..', '..', 'scripts', 'redis.sh');
const env = { ...process.env, REDIS_PORT: PORT };
const run = `${process.pid}-${Date.now()}`;
let n = 0;
const prefix = (): string => `test:${run}:${++n}:`;
const open: DedupStore[] = [];
const dirs: string[] = [];

beforeAll(() => {
  execFileSync('bash', [script, 'start'], { env, stdio: 'inherit' });
}, 180_000);

afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  execFileSync('bash', [script, 'stop'], { env, stdio: 'inherit' });
});

function redisStore(): RedisDedupStore {
  const s = RedisDedupStore.connect(URL, { prefix: prefix() });
  open.push(s);
  return s;
}

function lmdbStore(): LmdbDedupStore {
  const dir = mkdtempSync(join(tmpdir(), 'dedup-int-'));
  dirs.push(dir);
  const s = new LmdbDedupStore({ path: dir, noSync: true });
  open.push(s);
  return s;
}

describe('the same verdict table on Redis and LMDB', () => {
  it.each(VERDICT_CASES.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const onRedis = await runCase(caseEngine(redisStore(), c), c);
    const onLmdb = await runCase(caseEngine(lmdbStore(), c), c);
    onRedis.forEach((v, i) =>
      expect({ step: i + 1, ...v }).toMatchObject({ step: i + 1, ...c.steps[i]?.expect }),
    );
    expect(onRedis).toEqual(onLmdb);
    // one MULTI/EXEC for the whole case gives the same verdicts
    const batchedOnRedis = await runCaseBatched(caseEngine(redisStore(), c), c);
    expect(batchedOnRedis).toEqual(onLmdb);
  });
});

describe('RedisDedupStore under concurrent instances', () => {
  it('petitions judged at once by two instances form one cluster that alerts exactly once', async () => {
    const options = { alertSize: 3, alertWindowDays: 7 };
    const p = prefix();
    const stores = [
      RedisDedupStore.connect(URL, { prefix: p }),
      RedisDedupStore.connect(URL, { prefix: p }),
    ];
    const engines = stores.map((s) => new DedupEngine(s, options));
    const verdicts = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (engines[i % 2] as DedupEngine).judge({
          petitionId: `c${i}`,
          identityKey: `person:${i}`,
          matchText: testMatchText(GARAGE_FEES),
          locality: '江北区',
          receivedAt: new Date(Date.UTC(2024, 0, 1, 0, i)),
        }),
      ),
    );
    await Promise.all(stores.map((s) => s.close()));
    expect(new Set(verdicts.map((v) => v.clusterId)).size).toBe(1);
    expect(verdicts.map((v) => v.clusterSize).sort((x, y) => x - y)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    expect(verdicts.filter((v) => v.clusterAlert)).toHaveLength(1);
    expect(verdicts.filter((v) => v.outcome === 'new')).toHaveLength(8);
  });

  it('claimKey from two instances at once: exactly one claimant wins', async () => {
    const p = prefix();
    const s1 = RedisDedupStore.connect(URL, { prefix: p });
    const s2 = RedisDedupStore.connect(URL, { prefix: p });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? s1 : s2).claimKey('twilio:SM42', `p${i}`, 60)),
    );
    await Promise.all([s1.close(), s2.close()]);
    const winners = results.filter((r) => r === null);
    expect(winners).toHaveLength(1);
    const winner = `p${results.indexOf(null)}`;
    expect(results.filter((r) => r !== null).every((r) => r === winner)).toBe(true);
  });
});

describe('RedisDedupStore fingerprint format', () => {
  it('refuses state written before formats were recorded; claims a fresh prefix', async () => {
    const p = prefix();
    const raw = RedisDedupStore.connect(URL, { prefix: p });
    open.push(raw);
    // A sequence counter without a format key is what the previous version left.
    const conn = new Redis(URL);
    await conn.set(`${p}seq`, '7');
    await conn.quit();
    const input = {
      petitionId: 'x1',
      identityKey: 'id:1',
      matchText: testMatchText(GARAGE_FEES),
      locality: null,
      receivedAt: new Date(Date.UTC(2024, 0, 1)),
    };
    await expect(new DedupEngine(raw).judge(input)).rejects.toThrow(/fingerprint format legacy/);
    await expect(new DedupEngine(redisStore()).judge(input)).resolves.toMatchObject({
      outcome: 'new',
    });
  });
});

describe('LmdbDedupStore persistence', () => {
  it('verdicts survive closing and reopening the directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dedup-reopen-'));
    dirs.push(dir);
    const input = {
      identityKey: 'id:1',
      matchText: testMatchText(GARAGE_FEES),
      locality: '江北区',
      receivedAt: new Date(Date.UTC(2024, 0, 1)),
    };
    const first = new LmdbDedupStore({ path: dir });
    await new DedupEngine(first).judge({ ...input, petitionId: 'p1' });
    await first.claimKey('k', 'p1');
    await first.close();
    const second = new LmdbDedupStore({ path: dir });
    open.push(second);
    await expect(
      new DedupEngine(second).judge({ ...input, petitionId: 'p2' }),
    ).resolves.toMatchObject({
      outcome: 'duplicate',
      of: 'p1',
    });
    await expect(second.claimKey('k', 'p2')).resolves.toBe('p1');
    // A fresh memory store has none of it: the duplicate above came from disk.
    await expect(
      new DedupEngine(new MemoryDedupStore()).judge({ ...input, petitionId: 'p2' }),
    ).resolves.toMatchObject({ outcome: 'new' });
  });
});

describe('ping, for the normalizer health check', () => {
  it('answers for a live Redis and an open LMDB directory', async () => {
    const redis = redisStore();
    // ioredis connects in the background; a command waits for it, a ping fails fast until then.
    await redis.claimKey('warm', 'x');
    await expect(redis.ping()).resolves.toBeUndefined();
    await expect(lmdbStore().ping()).resolves.toBeUndefined();
    // A shutdown hook and an explicit close may both close it.
    await redis.close();
    await expect(redis.close()).resolves.toBeUndefined();
    await expect(redis.ping()).rejects.toThrow('dedup store closed');
  });

  it('says why when Redis is not there or LMDB is closed', async () => {
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    const deadPort = (probe.address() as AddressInfo).port;
    await new Promise((done) => probe.close(done));
    const client = new Redis(`redis://127.0.0.1:${deadPort}`, { maxRetriesPerRequest: 0 });
    try {
      await expect(new RedisDedupStore(client).ping()).rejects.toThrow(/^redis connection /);
    } finally {
      client.disconnect();
    }
    const dir = mkdtempSync(join(tmpdir(), 'dedup-ping-'));
    dirs.push(dir);
    const lmdb = new LmdbDedupStore({ path: dir, noSync: true });
    await lmdb.close();
    await expect(lmdb.ping()).rejects.toThrow('dedup store closed');
  });
});

describe('a Redis outage in the log', () => {
  /** A TCP relay to the real redis-server that can be cut and restored on the same port. */
  async function relay(): Promise<{
    port: number;
    cut: () => Promise<void>;
    restore: () => Promise<void>;
  }> {
    const sockets = new Set<Socket>();
    let server = createServer();
    const serve = (port: number): Promise<void> => {
      server = createServer((client) => {
        const upstream = connect(Number(PORT), '127.0.0.1');
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => s.destroy());
          s.on('close', () => sockets.delete(s));
        }
        client.pipe(upstream).pipe(client);
      });
      return new Promise((done) => server.listen(port, '127.0.0.1', done));
    };
    await serve(0);
    const port = (server.address() as AddressInfo).port;
    return {
      port,
      cut: async () => {
        const closed = new Promise((done) => server.close(done));
        sockets.forEach((s) => s.destroy());
        await closed;
      },
      restore: () => serve(port),
    };
  }

  it('reports a lost connection once, however many reconnects fail, and its return', async () => {
    const link = await relay();
    const events: RedisConnectionEvent[] = [];
    const stderr = jest.spyOn(console, 'error');
    const client = new Redis(`redis://127.0.0.1:${link.port}`, {
      maxRetriesPerRequest: 1,
      retryStrategy: () => 50,
    });
    const store = new RedisDedupStore(client, {
      prefix: prefix(),
      onConnection: (e) => events.push(e),
    });
    try {
      await store.claimKey('before', 'x');
      await link.cut();
      await expect(store.claimKey('during', 'x')).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 500)); // ~10 failed reconnects at 50 ms
      expect(events).toEqual([{ state: 'lost', reason: 'ECONNREFUSED' }]);
      await link.restore();
      await expect(store.claimKey('after', 'x')).resolves.toBeNull();
      expect(events).toHaveLength(2);
      expect(events[1]).toEqual({ state: 'restored', downMs: expect.any(Number) as number });
      expect((events[1] as { downMs: number }).downMs).toBeGreaterThanOrEqual(400);
      // ioredis prints each failed reconnect to stderr when nobody listens for 'error'.
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
      // Not store.close(): QUIT waits for a connection, and if the test failed with the link cut
      // there is none, which would hang afterAll and leave the redis-server running.
      client.disconnect();
      await link.cut();
    }
  });
});
