import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { topicNames, type PetitionEvent } from '@app/contracts';
import { ensureTopics } from '@app/kafka';
import {
  postTwilio,
  repoPath,
  TEST_TWILIO_TOKEN,
  testBrokers,
  TopicReader,
  twilioInbound,
  twilioSignature,
} from '@app/testing';

/**
 * `npm start` stopped the ways a user or a process manager stops it, from outside: the real script
 * (scripts/start.sh, apps run from source) as a child process against the suite's broker. Each
 * stop must end every process within 10 s with status 0 and free both ports; an item accepted
 * just before the signal, and one still being uploaded when it came, must not be lost. The four
 * runs share one topic namespace and state directory, one after the other like restarts, so each
 * run's first check is that the previous run's items reached petition.events.v1.
 */
describe('stopping npm start', () => {
  const GRACE_MS = 10_000;
  const BOOT_MS = 180_000;
  const brokers = testBrokers();
  const namespace = `t-shutdown-${randomUUID().slice(0, 8)}.`;
  const groupId = `normalizer-${namespace}`;
  const dir = mkdtempSync(join(tmpdir(), 'shutdown-e2e-'));
  const kafka = new Kafka({ clientId: 'shutdown-test', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const events = new TopicReader(brokers, topicNames(namespace).events);
  let ports: { gateway: number; normalizer: number };
  /** Every run, so that afterAll can kill what a failed one left behind. */
  const started: Run[] = [];
  /** Tracking numbers acknowledged by a run, checked on the events topic by the next. */
  let acknowledged: string[] = [];
  let runs = 0;

  beforeAll(async () => {
    ports = { gateway: await freePort(), normalizer: await freePort() };
    // The apps would create them, but the reader subscribes first.
    await ensureTopics(
      kafka,
      Object.values(topicNames(namespace)).map((topic) => ({ topic, partitions: 3 })),
    );
    await Promise.all([admin.connect(), events.start()]);
  });

  afterAll(async () => {
    for (const r of started) r.killAll();
    await events.stop();
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  interface Run {
    top: ChildProcess;
    gatewayPid: number;
    normalizerPid: number;
    exited: Promise<{ code: number | null; signal: string | null; ms: number }>;
    output(): string;
    signalledAt: number;
    killAll(): void;
  }

  /** `npm start` (npm → the script → the two apps) or the script alone, ready to take petitions. */
  async function start(via: 'npm' | 'script'): Promise<Run> {
    runs++;
    const logFile = join(dir, `run-${runs}.log`);
    const fd = openSync(logFile, 'a');
    const top = spawn(
      via === 'npm' ? 'npm' : 'bash',
      via === 'npm' ? ['start'] : ['scripts/start.sh'],
      {
        cwd: repoPath(),
        // Its own process group, so that afterAll can kill whatever a failed run left behind.
        detached: true,
        stdio: ['ignore', fd, fd],
        env: {
          ...process.env,
          START_FROM_SOURCE: '1',
          KAFKA_BROKERS: brokers.join(','),
          TOPIC_NAMESPACE: namespace,
          TOPIC_PARTITIONS: '3',
          HOST: '127.0.0.1',
          PORT: String(ports.gateway),
          NORMALIZER_HOST: '127.0.0.1',
          NORMALIZER_PORT: String(ports.normalizer),
          SPOOL_DIR: join(dir, 'spool'),
          GATEWAY_STATE_DIR: join(dir, 'gateway'),
          STATE_DIR: join(dir, 'normalizer'),
          NORMALIZER_GROUP_ID: groupId,
          TWILIO_AUTH_TOKEN: TEST_TWILIO_TOKEN,
          IDENTITY_KEY_SECRET: 'test-identity-secret-0123456789',
          MAILBOX_QUERY_CODE_SECRET: 'test-mailbox-query-code-secret',
          SMS_GATEWAY_ZHONGXIAN_SECRET: 'test-sms-gateway-secret',
          LOG_LEVEL: 'info',
        },
      },
    );
    closeSync(fd);
    const output = () => readFileSync(logFile, 'utf8');
    const r: Run = {
      top,
      gatewayPid: 0,
      normalizerPid: 0,
      signalledAt: 0,
      output,
      exited: new Promise((resolve) =>
        top.once('exit', (code, signal) =>
          resolve({ code, signal, ms: Date.now() - r.signalledAt }),
        ),
      ),
      killAll: () => {
        try {
          if (top.pid) process.kill(-top.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      },
    };
    started.push(r);
    const deadline = Date.now() + BOOT_MS;
    for (;;) {
      const pids = /gateway \(pid (\d+)\).*normalizer \(pid (\d+)\)/.exec(output());
      if (pids && (await healthy(ports.gateway)) && (await healthy(ports.normalizer))) {
        r.gatewayPid = Number(pids[1]);
        r.normalizerPid = Number(pids[2]);
        return r;
      }
      if (top.exitCode !== null || Date.now() > deadline)
        throw new Error(`npm start did not become ready:\n${output().slice(-3000)}`);
      await sleep(500);
    }
  }

  function signal(r: Run, pid: number, sig: NodeJS.Signals): void {
    r.signalledAt = Date.now();
    process.kill(pid, sig);
  }

  /** Everything gone within the grace period, both ports free; the top process's exit. */
  async function expectAllGone(r: Run): Promise<{ code: number | null; ms: number }> {
    const exit = await Promise.race([r.exited, sleep(GRACE_MS + 2000).then(() => null)]);
    if (!exit) throw new Error(`still running ${GRACE_MS + 2000} ms after the signal`);
    expect(exit.ms).toBeLessThan(GRACE_MS);
    expect(exit.signal).toBeNull();
    for (const pid of [r.top.pid ?? 0, r.gatewayPid, r.normalizerPid])
      expect(alive(pid)).toBe(false);
    // Nor any helper of the script (its parent watch, its kill timer): the group is empty.
    expect(groupMembers(r.top.pid ?? 0)).toEqual([]);
    expect(await canListen(ports.gateway)).toBe(true);
    expect(await canListen(ports.normalizer)).toBe(true);
    return exit;
  }

  /** The previous runs' acknowledged items reached the events topic, each once. */
  async function expectEarlierItemsPublished(): Promise<void> {
    const ids = () => events.json<PetitionEvent>().map((e) => e.petitionId);
    await events.waitFor(() => acknowledged.every((id) => ids().includes(id)), 30_000);
    for (const id of acknowledged) expect(ids().filter((x) => x === id)).toHaveLength(1);
    acknowledged = [];
  }

  async function sendSms(tag: string): Promise<string> {
    const params = twilioInbound({
      MessageSid: sid(tag),
      Body: `关停测试 ${tag}：路灯坏了三个月。`,
    });
    const res = await postTwilio(`http://127.0.0.1:${ports.gateway}`, params, {
      token: TEST_TWILIO_TOKEN,
    });
    expect(res.status).toBe(200);
    return res.petitionId;
  }

  it(
    'SIGTERM to npm start: the request in flight finishes, both apps stop, npm exits 0',
    async () => {
      const r = await start('npm');
      acknowledged.push(await sendSms('before'));
      // Headers and half the body now, the rest after the signal: a request in flight.
      const upload = startUpload('in-flight');
      // Time for the gateway to accept the connection and read the headers, even on a busy host.
      await sleep(1000);
      signal(r, r.top.pid ?? 0, 'SIGTERM');
      await sleep(500);
      // Draining: no new connections, the open one is still served.
      await expect(fetch(`http://127.0.0.1:${ports.gateway}/health`)).rejects.toThrow();
      const answer = await upload.finish();
      expect(answer.status).toBe(200);
      acknowledged.push(answer.petitionId);
      const exit = await expectAllGone(r);
      expect(exit.code).toBe(0);
      expect(r.output()).toMatch(/\[start\] gateway stopped/);
      expect(r.output()).toMatch(/\[start\] normalizer stopped/);
      // It left its group rather than waiting out the session: no member remains.
      const { groups } = await admin.describeGroups([groupId]);
      expect(groups[0]?.members).toEqual([]);
    },
    BOOT_MS + 60_000,
  );

  it(
    'SIGTERM to the gateway: the script stops the normalizer, all exit 0',
    async () => {
      const r = await start('script');
      await expectEarlierItemsPublished();
      acknowledged.push(await sendSms('before-gateway'));
      signal(r, r.gatewayPid, 'SIGTERM');
      const exit = await expectAllGone(r);
      expect(exit.code).toBe(0);
      expect(r.output()).toMatch(/\[start\] gateway stopped/);
      expect(r.output()).toMatch(/\[start\] normalizer stopped/);
    },
    BOOT_MS + 60_000,
  );

  it(
    'the normalizer killed -9: the script stops the gateway and exits non-zero',
    async () => {
      const r = await start('script');
      await expectEarlierItemsPublished();
      signal(r, r.normalizerPid, 'SIGKILL');
      const exit = await expectAllGone(r);
      expect(exit.code).toBe(1);
      expect(r.output()).toMatch(/\[start\] normalizer was killed \(signal 9\)/);
      expect(r.output()).toMatch(/\[start\] gateway stopped/);
    },
    BOOT_MS + 60_000,
  );

  /** A signed Twilio webhook whose body is sent in two halves, the second on `finish()`. */
  function startUpload(tag: string): { finish(): Promise<{ status: number; petitionId: string }> } {
    const url = `http://127.0.0.1:${ports.gateway}/channels/sms/twilio`;
    const params = twilioInbound({ MessageSid: sid(tag), Body: `关停测试 ${tag}：井盖丢了。` });
    const body = Buffer.from(new URLSearchParams(params).toString());
    const half = Math.floor(body.length / 2);
    const req = request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': body.length,
        'x-twilio-signature': twilioSignature(TEST_TWILIO_TOKEN, url, params),
      },
    });
    const answered = new Promise<{ status: number; petitionId: string }>((resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            petitionId: /XF-[0-9A-Z]{13}/.exec(text)?.[0] ?? '',
          }),
        );
      });
    });
    req.write(body.subarray(0, half));
    return {
      finish: () => {
        req.end(body.subarray(half));
        return answered;
      },
    };
  }
});

function sid(tag: string): string {
  return ('SM' + Buffer.from(tag).toString('hex') + '0'.repeat(32)).slice(0, 34);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Live (not zombie) processes of a process group, from /proc. */
function groupMembers(pgid: number): string[] {
  const members: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
    const close = stat.lastIndexOf(')');
    const [state, , pgrp] = stat.slice(close + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') members.push(stat.slice(0, close + 1));
  }
  return members;
}

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, {
      signal: AbortSignal.timeout(2000),
    });
    return res.status === 200;
  } catch {
    return false;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
