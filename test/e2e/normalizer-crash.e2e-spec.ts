import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { open, type Database, type RootDatabase } from 'lmdb';
import {
  RAW_PETITION_SCHEMA,
  rawPetitionProblems,
  topicNames,
  trackingNumberFor,
  type PetitionEvent,
  type RawPetition,
} from '@app/contracts';
import { ensureTopics } from '@app/kafka';
import { repoPath, sharedDataDir, testBrokers, TopicReader } from '@app/testing';

/**
 * The normalizer as a real OS process, killed with SIGKILL while it works through a stream of raw
 * petitions (no shutdown hook, no flush), then started again on the same state directory: a
 * read_committed consumer of petition.events.v1 must see every petition exactly once.
 *
 * The dangerous moment is aimed at, not left to chance: the replay claims of a batch are made
 * durable in LMDB before its Kafka transaction commits, and a crash between the two must neither
 * lose the batch (its re-read finds its own claims) nor publish it twice. The test watches the
 * claims (LMDB, read-only from this process), freezes the process as soon as a batch's claims
 * land, and kills it there if that batch's transaction has not committed; afterwards it checks
 * that the process did die in that window (more durable claims than committed records).
 */
describe('normalizer killed -9 mid-stream', () => {
  const TOTAL = 600;
  const brokers = testBrokers();
  const namespace = `t-crash-${randomUUID().slice(0, 8)}.`;
  const topics = topicNames(namespace);
  const stateDir = mkdtempSync(join(tmpdir(), 'normalizer-crash-'));
  const logFile = join(stateDir, 'normalizer.log');
  const kafka = new Kafka({ clientId: 'crash-test', brokers, logLevel: logLevel.NOTHING });
  let producer: Producer;
  let events: TopicReader;
  let child: ChildProcess | undefined;
  let admin: Admin;
  let claimsEnv: RootDatabase | undefined;
  let claimsDb: Database<string, string> | undefined;
  const groupId = `normalizer-${namespace}`;

  /** Raw records whose claims are durable (every key in this test is claimed once). */
  function claims(): number {
    const path = join(stateDir, 'state', 'replay');
    if (!claimsEnv || !claimsDb) {
      if (!existsSync(path)) return 0;
      claimsEnv = open({ path, readOnly: true });
      claimsDb = claimsEnv.openDB<string, string>({ name: 'replay-claims' });
    }
    claimsEnv.resetReadTxn();
    return claimsDb.getKeysCount();
  }

  /** Raw records whose transaction committed (the group's offsets are part of it). */
  async function committed(): Promise<number> {
    const offsets = await admin.fetchOffsets({ groupId, topics: [topics.raw] });
    return offsets
      .flatMap((t) => t.partitions)
      .reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  }

  function startNormalizer(): ChildProcess {
    const fd = openSync(logFile, 'a');
    const proc = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        repoPath('apps', 'normalizer', 'src', 'main.ts'),
      ],
      {
        cwd: repoPath(),
        env: {
          ...process.env,
          KAFKA_BROKERS: brokers.join(','),
          TOPIC_NAMESPACE: namespace,
          TOPIC_PARTITIONS: '3',
          STATE_DIR: join(stateDir, 'state'),
          IDENTITY_KEY_SECRET: 'test-identity-secret-0123456789',
          NORMALIZER_GROUP_ID: groupId,
          NORMALIZER_INSTANCE_ID: 'crash-test',
          NORMALIZER_PORT: '0',
          NORMALIZER_HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', fd, fd],
      },
    );
    closeSync(fd);
    return proc;
  }

  async function kill9(proc: ChildProcess): Promise<void> {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await gone;
  }

  /** Real message texts when the shared data is there, else generated ones. */
  function texts(): string[] {
    try {
      const file = join(sharedDataDir(), 'messages_unlabeled.jsonl');
      if (existsSync(file)) {
        return readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l.trim())
          .slice(0, TOTAL)
          .map((l) => {
            const m = JSON.parse(l) as { title?: string; text?: string };
            return `${m.title ?? ''}\n${m.text ?? ''}`.slice(0, 1600);
          });
      }
    } catch {
      /* fall through to generated texts */
    }
    return Array.from(
      { length: TOTAL },
      (_, i) => `第${i}号：我们村的路灯坏了${i % 7}个月，请尽快修理。`,
    );
  }

  function raw(i: number, text: string): RawPetition {
    const idempotencyKey = `sms:twilio:SM${namespace.replace(/\W/g, '')}${String(i).padStart(8, '0')}`;
    return {
      schema: RAW_PETITION_SCHEMA,
      eventType: 'petition.received',
      revision: 1,
      petitionId: trackingNumberFor(idempotencyKey),
      idempotencyKey,
      channel: 'sms',
      provider: 'twilio',
      receivedAt: new Date().toISOString(),
      recipient: null,
      petitioner: {
        name: null,
        phone: `+86139${String(10000000 + i)}`,
        email: null,
        idNumber: null,
      },
      subject: null,
      text,
      attachments: [],
      meta: { providerMessageId: `crash-${i}` },
      update: null,
      reply: null,
    };
  }

  beforeAll(async () => {
    await ensureTopics(
      kafka,
      Object.values(topics).map((topic) => ({ topic, partitions: 3 })),
    );
    producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
    await producer.connect();
    admin = kafka.admin();
    await admin.connect();
    events = await new TopicReader(brokers, topics.events).start();
  }, 60000);

  afterAll(async () => {
    if (child) await kill9(child);
    await events?.stop();
    await producer?.disconnect();
    await admin?.disconnect();
    await claimsEnv?.close();
    rmSync(stateDir, { recursive: true, force: true });
  }, 30000);

  it('publishes every petition exactly once across a SIGKILL and a restart', async () => {
    const all = texts().map((t, i) => raw(i, t));
    expect(all.flatMap((r) => rawPetitionProblems(r))).toEqual([]);
    const send = (records: RawPetition[]) =>
      producer.send({
        topic: topics.raw,
        acks: -1,
        messages: records.map((r) => ({ key: r.petitionId, value: JSON.stringify(r) })),
      });
    // A backlog first, so the normalizer is busy with full batches when it is killed.
    await send(all.slice(0, TOTAL / 2));
    child = startNormalizer();
    // Once it is working, killed in the window between a batch's durable claims and its commit.
    await events.waitFor((r) => r.length > 0, 30000);
    const feeding = (async () => {
      for (let i = TOTAL / 2; i < TOTAL; i += 50) {
        await send(all.slice(i, i + 50));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    // Claims are polled locally (a read-only LMDB transaction, microseconds) every millisecond;
    // the moment a batch's claims become durable the process is frozen (SIGSTOP), and if its
    // transaction has not committed it dies there. Otherwise it is let go and the next batch tried.
    const deadline = Date.now() + 20000;
    let last = claims();
    while (Date.now() < deadline) {
      const c = claims();
      if (c > last) {
        child.kill('SIGSTOP');
        if (c > (await committed())) break;
        child.kill('SIGCONT');
        last = c;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    await kill9(child);
    // Both are final now: claims durable without their transaction = died inside the window.
    const claimedAtKill = claims();
    const committedAtKill = await committed();
    const atKill = events.records.length;
    await feeding;
    child = startNormalizer();

    const ids = all.map((r) => r.petitionId);
    try {
      await events.waitFor(
        () => new Set(events.json<PetitionEvent>().map((e) => e.petitionId)).size >= TOTAL,
        75000,
      );
    } catch (error) {
      process.stderr.write(readFileSync(logFile, 'utf8').slice(-4000));
      throw error;
    }
    await events.settle(2000);
    const seen = events.json<PetitionEvent>().map((e) => e.petitionId);
    expect(atKill).toBeLessThan(TOTAL);
    expect(claimedAtKill).toBeGreaterThan(committedAtKill);
    expect(new Set(seen)).toEqual(new Set(ids));
    expect(seen).toHaveLength(TOTAL);
    expect(events.json<PetitionEvent>().every((e) => e.eventType === 'petition.received')).toBe(
      true,
    );
  }, 120000);
});
