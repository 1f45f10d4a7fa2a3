import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CategoryPipeline, IntentClassifier } from '@app/classify';
import {
  RAW_PETITION_SCHEMA,
  petitionEventProblems,
  rawPetitionProblems,
  topicNames,
  trackingNumberFor,
  type PetitionEvent,
  type RawPetition,
} from '@app/contracts';
import { DedupEngine, LmdbDedupStore } from '@app/dedup';
import { loadRoutingConfig, routePetition } from '@app/routing';
import { detectScript, matchText } from '@app/text';
import {
  PetitionJudge,
  type PetitionJudgeDeps,
} from '../../apps/normalizer/src/pipeline/petition-judge';
import { buildPetitionEvent } from '../../apps/normalizer/src/pipeline/petition-normalizer';
import { RawRecordProcessor } from '../../apps/normalizer/src/pipeline/raw-record-processor';
import { LmdbClaimStore } from '../../apps/normalizer/src/state/claim-store';
import { ReplayStore } from '../../apps/normalizer/src/state/replay-store';
import { ROOT } from './apps';
import type { Message } from './channels';

const IDENTITY_SECRET = 'bench-identity-secret-0123456789';
const OPTIONS = { phoneRegion: 'CN' as const, identitySecret: IDENTITY_SECRET };

/** A raw petition as the gateway would publish it (SMS via Twilio shape), n-th of the run. */
function rawOf(m: Message, n: number, runId: string, at: Date): RawPetition {
  const key = `sms:twilio:${runId}-${n}`;
  return {
    schema: RAW_PETITION_SCHEMA,
    petitionId: trackingNumberFor(key),
    receivedAt: at.toISOString(),
    eventType: 'petition.received',
    revision: 1,
    update: null,
    reply: null,
    idempotencyKey: key,
    channel: 'sms',
    provider: 'twilio',
    recipient: null,
    petitioner: {
      name: null,
      phone: `+86139${String(10_000_000 + (n % 50_000))}`,
      email: null,
      idNumber: null,
    },
    subject: m.title || null,
    text: m.text,
    attachments: [],
    meta: { providerMessageId: `${runId}-${n}` },
  };
}

interface BenchJudge {
  judge: PetitionJudge;
  deps: PetitionJudgeDeps;
  /** A fresh temporary directory, removed after the run. */
  dir: string;
}

/**
 * Runs `run` with a judge built from the shipped model and config over a fresh LMDB dedup store in
 * a temporary directory; closes the store and removes the directory afterwards.
 */
async function withBenchJudge<T>(
  noSync: boolean,
  run: (bench: BenchJudge) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-judge-'));
  const configDir = join(ROOT, 'config');
  const store = new LmdbDedupStore({ path: join(dir, 'dedup'), noSync });
  const routing = loadRoutingConfig(configDir);
  const deps: PetitionJudgeDeps = {
    category: CategoryPipeline.fromFiles(
      join(ROOT, 'libs/classify/model/category-model.json'),
      join(configDir, 'classify-rules.yaml'),
    ),
    intent: IntentClassifier.fromFile(join(configDir, 'intents.yaml')),
    routing,
    dedup: new DedupEngine(
      store,
      { duplicateWindowDays: 30, alertSize: 5, alertWindowDays: 7 },
      routing.matters,
    ),
  };
  try {
    return await run({ judge: new PetitionJudge(deps), deps, dir });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface JudgementThroughput {
  /** Durable LMDB (as the normalizer runs) or noSync (to show what fsync costs). */
  mode: 'durable' | 'noSync';
  records: number;
  seconds: number;
  perSecond: number;
  usPerRecord: number;
  /**
   * CPU time of the whole process (every thread: LMDB's writer, GC helpers) while judging, so a
   * figure "per core" cannot hide work moved to another thread.
   */
  cpuSeconds: number;
  /** records / cpuSeconds: petitions per second per core. */
  perCpuSecond: number;
  outcomes: Record<string, number>;
}

/** The raw records of a run: real messages as the gateway would publish them, one per second. */
function rawRecords(messages: Message[], count: number, base: number): RawPetition[] {
  return Array.from({ length: count }, (_, n) =>
    rawOf(messages[n % messages.length] as Message, n, 'judge', new Date(base + n * 1000)),
  );
}

/**
 * Runs `step` over consecutive batches of `count` items until done or `maxSeconds` pass, timing
 * wall clock and the CPU of the whole process.
 */
async function timeBatches(
  count: number,
  batchSize: number,
  maxSeconds: number,
  step: (from: number, to: number) => Promise<void>,
): Promise<{ records: number; seconds: number; cpuSeconds: number }> {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const deadline = Date.now() + maxSeconds * 1000;
  let done = 0;
  while (done < count && Date.now() < deadline) {
    const end = Math.min(count, done + batchSize);
    await step(done, end);
    done = end;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  return { records: done, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

function throughputOf(
  mode: 'durable' | 'noSync',
  t: { records: number; seconds: number; cpuSeconds: number },
  outcomes: Record<string, number>,
): JudgementThroughput {
  return {
    mode,
    ...t,
    perSecond: t.records / t.seconds,
    usPerRecord: (t.seconds * 1e6) / t.records,
    perCpuSecond: t.records / t.cpuSeconds,
    outcomes,
  };
}

/**
 * The whole record step: RawRecordProcessor over real messages on one thread, as the normalizer's
 * consumer drives it (Kafka value parse, raw schema, replay claim, judgement, event self-check,
 * serialisation), records in batches of `batchSize` (a Kafka batch), claims flushed once per
 * batch. Bounded by `maxSeconds`.
 */
export async function judgementThroughput(
  messages: Message[],
  mode: 'durable' | 'noSync',
  maxRecords: number,
  maxSeconds: number,
  batchSize = 500,
): Promise<JudgementThroughput> {
  return withBenchJudge(mode === 'noSync', async ({ judge, dir }) => {
    const replay = new ReplayStore(join(dir, 'replay'), { retentionDays: 400 });
    const claims = new LmdbClaimStore(replay);
    const processor = new RawRecordProcessor(OPTIONS, topicNames('bench.'), claims, judge);
    const base = Date.UTC(2024, 0, 1);
    const records = rawRecords(messages, maxRecords, base).map((r) =>
      Buffer.from(JSON.stringify(r)),
    );
    const outcomes: Record<string, number> = {};
    const now = new Date(base + maxRecords * 1000);
    const t = await timeBatches(records.length, batchSize, maxSeconds, async (from, to) => {
      const batch = [];
      for (let i = from; i < to; i++)
        batch.push({ position: `bench/0@${i}`, value: records[i] ?? null, headers: {} });
      // As the consumer does: one Kafka batch judged at once, then its claims made durable.
      for (const r of await processor.processBatch(batch, now))
        outcomes[r.kind] = (outcomes[r.kind] ?? 0) + 1;
      await claims.flush();
    });
    await replay.close();
    return throughputOf(mode, t, outcomes);
  });
}

/**
 * The judgement step alone, from a validated raw petition to its judged event: text cleaning,
 * E.164 and identity key (buildPetitionEvent), then script, category, intent, locality, urgency,
 * routing, deadlines and dedup with its durable LMDB commit (PetitionJudge.judgeAll), per batch.
 * What it leaves to the record step: the Kafka value's JSON parse and schema check, the replay
 * claim, the event's self-check and its serialisation.
 */
export async function judgementStepThroughput(
  messages: Message[],
  mode: 'durable' | 'noSync',
  maxRecords: number,
  maxSeconds: number,
  batchSize = 500,
): Promise<JudgementThroughput> {
  return withBenchJudge(mode === 'noSync', async ({ judge }) => {
    const base = Date.UTC(2024, 0, 1);
    const raws = rawRecords(messages, maxRecords, base);
    const now = new Date(base + maxRecords * 1000);
    const outcomes: Record<string, number> = {};
    const t = await timeBatches(raws.length, batchSize, maxSeconds, async (from, to) => {
      const items = raws.slice(from, to).map((raw) => ({
        raw,
        event: buildPetitionEvent(raw, now, OPTIONS) as PetitionEvent,
      }));
      for (const j of await judge.judgeAll(items)) {
        const outcome = j.judgement.dedup?.outcome ?? 'none';
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
    });
    return throughputOf(mode, t, outcomes);
  });
}

export type StageTimes = Record<string, { usPerRecord: number; share: number }>;

/**
 * The same per-record work split into its stages, timed one by one over the same records (durable
 * LMDB, like the normalizer), so it is clear where a judgement's time goes.
 */
export async function judgementStages(messages: Message[], count: number): Promise<StageTimes> {
  return withBenchJudge(false, async ({ deps, dir }) => {
    const { category, intent, routing, dedup } = deps;
    const replay = new ReplayStore(join(dir, 'replay'), { retentionDays: 400 });
    const claims = new LmdbClaimStore(replay);
    const base = Date.UTC(2024, 0, 1);
    const ns: Record<string, bigint> = {};
    const time = <T>(stage: string, f: () => T): T => {
      const t = process.hrtime.bigint();
      const r = f();
      ns[stage] = (ns[stage] ?? 0n) + (process.hrtime.bigint() - t);
      return r;
    };
    const timeAsync = async <T>(stage: string, f: () => Promise<T>): Promise<T> => {
      const t = process.hrtime.bigint();
      const r = await f();
      ns[stage] = (ns[stage] ?? 0n) + (process.hrtime.bigint() - t);
      return r;
    };
    const now = new Date(base + count * 1000);
    for (let n = 0; n < count; n++) {
      const m = messages[n % messages.length] as Message;
      const value = Buffer.from(JSON.stringify(rawOf(m, n, 'stages', new Date(base + n * 1000))));
      const raw = time('JSON.parse + raw schema', () => {
        const r = JSON.parse(value.toString('utf8')) as RawPetition;
        rawPetitionProblems(r);
        return r;
      });
      await timeAsync('replay claim', () => claims.claim(raw.idempotencyKey, `bench/0@${n}`));
      if (n % 500 === 499) await timeAsync('replay claim', () => claims.flush());
      const event = time('buildPetitionEvent (normalise, E.164, identity key)', () =>
        buildPetitionEvent(raw, now, OPTIONS),
      );
      const subject = event.subject ?? '';
      const match = time('matchText', () => matchText(`${subject}\n${event.body}`));
      const cat = time('category.classify', () => category.classify(match));
      time('intent.classify', () => intent.classify(match));
      const receivedAt = new Date(raw.receivedAt);
      const route = time('routePetition (locality, urgency, unit, deadlines)', () =>
        routePetition(
          {
            text: match,
            channel: raw.channel,
            channelCounty: null,
            category: cat.category,
            receivedAt,
          },
          routing,
        ),
      );
      const verdict = await timeAsync('dedup judge (LMDB, durable commit)', () =>
        dedup.judge({
          petitionId: raw.petitionId,
          identityKey: event.petitioner.identityKey,
          matchText: match,
          locality: route.locality.district,
          receivedAt,
        }),
      );
      time('detectScript', () => detectScript(`${subject}${raw.text}`));
      const full = {
        ...event,
        script: 'simplified',
        classification: {
          category: cat.category,
          confidence: 0.5,
          source: cat.source,
          intent: 'complaint',
          intentConfidence: 0.5,
        },
        locality: { ...route.locality },
        urgency: { priority: route.urgency.priority, flags: [...route.urgency.flags] },
        routing: { unit: route.route.unit, rule: route.route.rule },
        deadlines: { ...route.deadlines },
        dedup: {
          outcome: verdict.outcome,
          of: verdict.of,
          similarity: verdict.similarity,
          clusterId: verdict.clusterId,
          clusterSize: verdict.clusterSize,
        },
      } as unknown as PetitionEvent;
      time('event schema validation', () => petitionEventProblems(full));
      time('JSON.stringify event', () => JSON.stringify(full));
    }
    await replay.close();
    const total = Object.values(ns).reduce((a, b) => a + b, 0n);
    const out: StageTimes = {};
    for (const [stage, v] of Object.entries(ns).sort((a, b) => (b[1] > a[1] ? 1 : -1))) {
      out[stage] = { usPerRecord: Number(v) / 1000 / count, share: Number(v) / Number(total) };
    }
    return out;
  });
}
