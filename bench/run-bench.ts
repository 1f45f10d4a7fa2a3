/**
 * `npm run bench` (scripts/bench.sh starts the broker and builds the apps, then runs this).
 *
 * Boots the gateway and the normalizer as real processes against the bench broker and drives real
 * messages (../shared/data/messages_unlabeled.jsonl, read at run time) through every HTTP channel:
 *   1. end-to-end throughput: closed-loop autocannon, from the first request until the last
 *      accepted petition's canonical event is committed on petition.events.v1;
 *   2. ack latency at a fixed 1,000 requests/s (open loop; autocannon -R alongside for reference),
 *      with the normalizer at the niceness `npm start` gives it and, alternated, at nice 0;
 *   3. the ceiling: a bare kafkajs producer sending the same raw payloads to the same broker;
 *   4. back-to-back transactions with the normalizer's producer retry policy against the former
 *      100 ms first back-off, alternated in the same run;
 *   5. the normalizer's judgement throughput on one thread, with a per-stage breakdown;
 *   6. near-duplicate lookup cost at 10k and 1M stored petitions, bytes per stored petition.
 * Prints a table and writes bench/results/bench-<timestamp>.json.
 *
 * Environment: BENCH_BROKERS (required), BENCH_PORT (3180), BENCH_REQUESTS (at most 30000; sized
 * to BENCH_TARGET_SECONDS=60 at the warm-up's end-to-end rate),
 * BENCH_CONNECTIONS (64), BENCH_RATE (1000), BENCH_LATENCY_SECONDS (20), BENCH_PARTITIONS (6),
 * BENCH_PROFILE=1 (CPU profiles of both apps over the throughput run, summarised),
 * BENCH_SKIP=judgement,dedup,latency,ceiling,transactions (leave parts out), DEDUP_QUALITY_FILL (1000000).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { topicNames } from '@app/contracts';
import { dedupCost } from '../scripts/quality/dedup-cost';
import { TRANSACTION_RETRY } from '../apps/normalizer/src/consumer/transaction-retry';
import { Apps, ROOT, httpPost } from './lib/apps';
import { captureRecords, producerCeiling, type CeilingRun } from './lib/ceiling';
import {
  BENCH_SECRETS,
  CHANNELS,
  acceptedIds,
  channelGatewayEnv,
  type BenchRequest,
  type BuildContext,
  type ChannelSpec,
  type Message,
} from './lib/channels';
import { printProfile, summariseProfile, type ProfileSummary } from './lib/cpu-profile';
import {
  pooledSplit,
  readStageTotals,
  stageSplit,
  STAGES,
  type StageSplit,
} from './lib/record-stages';
import { loadMessages } from './lib/data';
import { normalizerNice } from './lib/node-flags';
import { EventCounter } from './lib/event-counter';
import { judgementStages, judgementThroughput } from './lib/judgement';
import { backToBackTransactions, type TransactionRun } from './lib/transactions';
import {
  latencySummary,
  runAutocannon,
  runPaced,
  type ChannelLoadResult,
  type PacedResult,
} from './lib/load';
import { f0, f1, f2, pct, table, verdict } from './lib/report';

const env = process.env;
const BROKERS = env.BENCH_BROKERS ?? '';
const PORT = Number(env.BENCH_PORT ?? 3180);
const REQUESTS = Number(env.BENCH_REQUESTS ?? 30_000);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 64);
const RATE = Number(env.BENCH_RATE ?? 1000);
const LATENCY_SECONDS = Number(env.BENCH_LATENCY_SECONDS ?? 20);
const PARTITIONS = Number(env.BENCH_PARTITIONS ?? 6);
const PROFILE = env.BENCH_PROFILE === '1';
const NICE = normalizerNice();
const SKIP = new Set((env.BENCH_SKIP ?? '').split(',').filter(Boolean));
/** How long the run waits for the last canonical event of a phase before calling it missing. */
const DRAIN_TIMEOUT_MS = Number(env.BENCH_DRAIN_TIMEOUT_MS ?? 180_000);
/** The throughput run is sized to take about this long end to end. */
const TARGET_SECONDS = Number(env.BENCH_TARGET_SECONDS ?? 60);
/** After the latency runs, how long to wait for their events (completeness, not timing). */
const LATENCY_DRAIN_MS = 60_000;

const TARGETS = { e2ePerSecond: 5000, ceilingRatio: 0.5, p99Ms: 25 };

const log = (msg: string): void =>
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

function machine(): Record<string, unknown> {
  const sh = (cmd: string, args: string[]): string => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    } catch {
      return 'n/a';
    }
  };
  return {
    nproc: Number(sh('nproc', [])) || cpus().length,
    cpu: cpus()[0]?.model ?? 'n/a',
    memTotalGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: sh('uname', ['-r']),
    kafka: '3.9 (scripts/kafka.sh, single KRaft node, same machine)',
    loadAtStart: loadavg(),
  };
}

/** Builds `count` distinct requests for a channel from the messages, in rotation. */
function buildRequests(
  channel: ChannelSpec,
  messages: Message[],
  count: number,
  phase: string,
  baseUrl: string,
): BenchRequest[] {
  const ctx: BuildContext = {
    baseUrl,
    runId: `${phase}-${randomUUID().slice(0, 8)}`,
    secrets: BENCH_SECRETS,
    nowSeconds: Math.floor(Date.now() / 1000),
  };
  const offset = Math.floor(Math.random() * messages.length);
  return Array.from({ length: count }, (_, i) =>
    channel.build(messages[(offset + i) % messages.length] as Message, i, ctx),
  );
}

function acceptedOf(results: ChannelLoadResult[]): Set<string> {
  const all = new Set<string>();
  for (const r of results) for (const id of r.accepted) all.add(id);
  return all;
}

async function probeChannels(
  apps: Apps,
  counter: EventCounter,
  messages: Message[],
): Promise<{ working: ChannelSpec[]; skipped: Record<string, string> }> {
  const working: ChannelSpec[] = [];
  const skipped: Record<string, string> = {};
  for (const channel of CHANNELS) {
    const [req] = buildRequests(channel, messages, 1, 'probe', apps.url);
    if (!req) continue;
    const res = await httpPost(apps.url, req.path, req.headers, req.body).catch((e: unknown) => ({
      status: 0,
      body: String(e),
    }));
    const ids = acceptedIds(res.body);
    if (res.status < 200 || res.status >= 300 || ids.length === 0) {
      skipped[channel.name] = `probe answered ${res.status}: ${res.body.slice(0, 160)}`;
      continue;
    }
    const { missing } = await counter.waitFor(ids, 60_000);
    if (missing.length > 0) {
      skipped[channel.name] = 'accepted but no canonical event within 60 s';
      continue;
    }
    working.push(channel);
  }
  return { working, skipped };
}

interface ThroughputResult {
  requests: number;
  connections: number;
  accepted: number;
  httpSeconds: number;
  httpPerSecond: number;
  e2eSeconds: number | null;
  e2ePerSecond: number;
  missing: number;
  statusCodes: Record<string, number>;
  errors: number;
  perChannel: Record<
    string,
    { accepted: number; httpPerSecond: number; e2ePerSecond: number; p99Ms: number }
  >;
}

async function throughput(
  apps: Apps,
  counter: EventCounter,
  channels: ChannelSpec[],
  messages: Message[],
  total: number,
  connections: number,
  phase: string,
): Promise<ThroughputResult> {
  const per = Math.ceil(total / channels.length);
  const conns = Math.max(1, Math.floor(connections / channels.length));
  const loads = channels.map((c) => ({
    channel: c.name,
    url: apps.url,
    requests: buildRequests(c, messages, per, phase, apps.url),
    connections: conns,
    amount: per,
  }));
  const start = Date.now();
  const results = await runAutocannon(loads);
  apps.assertAlive();
  const httpEnd = Math.max(...results.map((r) => r.finishedAt));
  const accepted = acceptedOf(results);
  if (accepted.size === 0)
    throw new Error(
      `${phase}: nothing accepted (${JSON.stringify(results.map((r) => r.statusCodes))})`,
    );
  const { lastAt, missing } = await counter.waitFor(accepted, DRAIN_TIMEOUT_MS);
  const arrived = [...accepted].filter((id) => counter.firstSeen.has(id));
  const e2eEnd = lastAt ?? Date.now();
  const statusCodes: Record<string, number> = {};
  for (const r of results)
    for (const [c, n] of Object.entries(r.statusCodes)) statusCodes[c] = (statusCodes[c] ?? 0) + n;
  const perChannel: ThroughputResult['perChannel'] = {};
  for (const r of results) {
    const seen = [...r.accepted].map((id) => counter.firstSeen.get(id) ?? NaN);
    const last = Math.max(...seen.filter(Number.isFinite));
    perChannel[r.channel] = {
      accepted: r.accepted.size,
      httpPerSecond: r.accepted.size / ((r.finishedAt - r.startedAt) / 1000),
      e2ePerSecond: seen.filter(Number.isFinite).length / ((last - r.startedAt) / 1000),
      p99Ms: latencySummary(r.latencies).p99,
    };
  }
  return {
    requests: per * channels.length,
    connections: conns * channels.length,
    accepted: accepted.size,
    httpSeconds: (httpEnd - start) / 1000,
    httpPerSecond: accepted.size / ((httpEnd - start) / 1000),
    e2eSeconds: lastAt === null ? null : (lastAt - start) / 1000,
    e2ePerSecond: arrived.length / ((e2eEnd - start) / 1000),
    missing: missing.length,
    statusCodes,
    errors: results.reduce((a, r) => a + r.errors + r.timeouts, 0),
    perChannel,
  };
}

async function main(): Promise<void> {
  if (!BROKERS) throw new Error('BENCH_BROKERS is not set (scripts/bench.sh sets it)');
  const brokers = BROKERS.split(',');
  const started = Date.now();
  const facts = machine();
  const messages = loadMessages();
  log(
    `${messages.length} messages; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const namespace = `bench-${randomUUID().slice(0, 8)}.`;
  const topics = topicNames(namespace);
  const profileDir = PROFILE ? mkdtempSync(join(tmpdir(), 'bench-prof-')) : undefined;
  const result: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    machine: facts,
    namespace,
  };

  // ---------------------------------------------------------------- apps, probe, warm-up
  const apps = new Apps({
    brokers: BROKERS,
    namespace,
    port: PORT,
    partitions: PARTITIONS,
    gatewayEnv: channelGatewayEnv(BENCH_SECRETS),
    profileDir,
  });
  let counter: EventCounter | undefined;
  let tp: ThroughputResult | undefined;
  const profiles: ProfileSummary[] = [];
  try {
    await apps.ready();
    counter = await new EventCounter(brokers, topics.events).start();
    const { working, skipped } = await probeChannels(apps, counter, messages);
    log(`channels: ${working.map((c) => c.name).join(', ')}; skipped: ${JSON.stringify(skipped)}`);
    result.channels = { working: working.map((c) => c.name), skipped };
    if (working.length === 0) throw new Error('no channel works end to end');
    log('warm-up');
    const warm = await throughput(apps, counter, working, messages, 3000, 32, 'warm');
    log(`warm-up: ${f0(warm.httpPerSecond)}/s HTTP, ${f0(warm.e2ePerSecond)}/s end to end`);

    // ---------------------------------------------------------------- throughput
    // Sized so the run takes about a minute at the warm-up's end-to-end rate (bounded run time).
    const requests = Math.round(
      Math.min(REQUESTS, Math.max(6000, warm.e2ePerSecond * TARGET_SECONDS)),
    );
    log(
      `throughput: ${requests} requests, ${CONNECTIONS} connections over ${working.length} channels`,
    );
    apps.signalProfilers();
    tp = await throughput(apps, counter, working, messages, requests, CONNECTIONS, 'tp');
    apps.signalProfilers();
    result.throughput = tp;
    log(
      `throughput: ${f0(tp.httpPerSecond)}/s accepted over HTTP, ${f0(tp.e2ePerSecond)}/s end to end, missing ${tp.missing}`,
    );
    result.memoryAfterThroughput = {
      gatewayKb: apps.gateway.memory(),
      normalizerKb: apps.normalizer.memory(),
    };

    // ---------------------------------------------------------------- latency
    if (!SKIP.has('latency')) {
      // The normalizer at the priority `npm start` gives it (NICE) and, as the baseline, at the
      // default priority (0), alternated N00N after a discarded warm-up run: the first run after
      // the throughput phase is the slowest, whichever the setting. Each figure pools its two
      // runs (LATENCY_SECONDS in all per setting).
      log(`latency: open loop ${RATE}/s, normalizer at nice ${NICE} and 0 (alternated)`);
      const half = LATENCY_SECONDS / 2;
      await pacedRun(apps, counter, working, messages, 'latw', half);
      const runs = new Map<number, PacedRun[]>([
        [NICE, []],
        [0, []],
      ]);
      for (const [i, nice] of [NICE, 0, 0, NICE].entries()) {
        apps.setNormalizerNice(nice);
        runs.get(nice)?.push(await pacedRun(apps, counter, working, messages, `lat${i}`, half));
      }
      apps.setNormalizerNice();
      const latency = latencyOf(runs.get(NICE) ?? [], counter);
      const baseline = latencyOf(runs.get(0) ?? [], counter);
      log(`latency at nice ${NICE}: ${JSON.stringify(latency.ack)}`);
      log(`latency at nice 0: ${JSON.stringify(baseline.ack)}`);
      latency.normalizerNice = NICE;
      latency.baselineNiceZero = {
        ack: baseline.ack,
        eventAfterAck: baseline.eventAfterAck,
        eventStages: baseline.eventStages,
      };
      latency.ackP99Ratio = (latency.ack as Summary).p99 / (baseline.ack as Summary).p99;
      // autocannon's own fixed-rate mode, for reference: it sends each connection's quota for the
      // second back to back at the start of the second, so the gateway sees bursts, not 1,000/s.
      const acCount = Math.ceil((RATE * 10 * 1.1) / working.length);
      const ac = await runAutocannon(
        working.map((c) => ({
          channel: c.name,
          url: apps.url,
          requests: buildRequests(c, messages, acCount, 'acr', apps.url),
          connections: Math.max(1, Math.floor(32 / working.length)),
          rate: Math.floor(RATE / working.length),
          duration: 10,
        })),
      );
      latency.autocannonFixedRate = {
        seconds: 10,
        ack: latencySummary(ac.flatMap((r) => r.latencies)),
        autocannonCorrected: ac.map((r) => ({ channel: r.channel, ...r.autocannon })),
      };
      result.latency = latency;
    }
    result.memoryAtEnd = {
      gatewayKb: apps.gateway.memory(),
      normalizerKb: apps.normalizer.memory(),
    };
    if (PROFILE) {
      for (const file of await apps.waitForProfiles()) profiles.push(summariseProfile(file, 40));
      result.profiles = profiles;
    }
  } finally {
    await counter?.stop();
    await apps.stop();
  }

  // ---------------------------------------------------------------- ceiling
  if (!SKIP.has('ceiling') && tp) {
    log('ceiling: bare kafkajs producer, same payloads, same broker');
    const records = await captureRecords(brokers, topics.raw, Math.min(tp.accepted, 60_000));
    const kafka = new Kafka({ clientId: 'bench-admin', brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const runs: CeilingRun[] = [];
    for (const [producers, batch] of [
      [1, 2000],
      [4, 500],
    ] as const) {
      const topic = `${namespace}ceiling-${producers}x${batch}`;
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
      });
      runs.push(await producerCeiling(brokers, topic, records, producers, batch));
    }
    await admin.disconnect();
    const best = Math.max(...runs.map((r) => r.perSecond));
    const avgBytes = records.reduce((a, r) => a + r.value.length, 0) / Math.max(1, records.length);
    result.ceiling = {
      payloads: records.length,
      avgPayloadBytes: avgBytes,
      runs,
      perSecond: best,
      ratioEndToEnd: tp.e2ePerSecond / best,
      ratioHttpAccepted: tp.httpPerSecond / best,
    };
    log(`ceiling: ${f0(best)}/s`);
  }

  // ---------------------------------------------------------------- transactions
  if (!SKIP.has('transactions')) {
    log('transactions: back to back, shipped retry policy against a 100 ms first back-off');
    result.transactions = await transactionBackoff(brokers, `${namespace}transactions`);
  }

  // ---------------------------------------------------------------- judgement
  if (!SKIP.has('judgement')) {
    log('judgement: RawRecordProcessor on one thread');
    const durable = await judgementThroughput(messages, 'durable', 6000, 30);
    const noSync = await judgementThroughput(messages, 'noSync', 6000, 30);
    const stages = await judgementStages(messages, 3000);
    result.judgement = { durable, noSync, stages };
  }

  // ---------------------------------------------------------------- dedup cost
  if (!SKIP.has('dedup')) {
    log('dedup: judge cost at 10k and 1M stored petitions (scripts/quality/dedup-cost.ts)');
    result.dedup = await dedupCost();
  }

  result.loadAtEnd = loadavg();
  result.seconds = (Date.now() - started) / 1000;
  report(result, profiles);
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nresults: ${file}`);
}

type Summary = ReturnType<typeof latencySummary>;

interface PacedRun {
  paced: PacedResult[];
  stages: StageSplit;
  /** Accepted but not on the topic LATENCY_DRAIN_MS after the run (a backlog, not a loss). */
  missing: number;
}

/**
 * One open-loop run at RATE for `seconds`, waiting for its events, with the normalizer's own
 * split of their wait (its /metrics before and after).
 */
async function pacedRun(
  apps: Apps,
  counter: EventCounter,
  working: ChannelSpec[],
  messages: Message[],
  tag: string,
  seconds: number,
): Promise<PacedRun> {
  const count = Math.ceil((RATE * seconds * 1.05) / working.length);
  const streams = working.map((c) => ({
    channel: c.name,
    requests: buildRequests(c, messages, count, tag, apps.url),
  }));
  const before = await readStageTotals(apps.normalizerMetricsUrl);
  const paced = await runPaced(apps.url, streams, RATE, seconds);
  const drain = await counter.waitFor(acceptedOf(paced), LATENCY_DRAIN_MS);
  const stages = stageSplit(before, await readStageTotals(apps.normalizerMetricsUrl));
  return { paced, stages, missing: drain.missing.length };
}

/** Ack latency and event-after-ack figures pooled over runs. */
function latencyOf(runs: PacedRun[], counter: EventCounter): Record<string, unknown> {
  const paced = runs.flatMap((r) => r.paced);
  const codes: Record<string, number> = {};
  const byChannel = new Map<string, number[]>();
  for (const r of paced) {
    for (const [c, n] of Object.entries(r.statusCodes)) codes[c] = (codes[c] ?? 0) + n;
    byChannel.set(r.channel, [...(byChannel.get(r.channel) ?? []), ...r.latencies]);
  }
  return {
    rate: RATE,
    seconds: (LATENCY_SECONDS / 2) * runs.length,
    sent: paced.reduce((a, r) => a + r.sent, 0),
    statusCodes: codes,
    errors: paced.reduce((a, r) => a + r.errors + r.timeouts, 0),
    ack: latencySummary(paced.flatMap((r) => r.latencies)),
    ackFromDueTime: latencySummary(paced.flatMap((r) => r.lagged)),
    perChannel: Object.fromEntries([...byChannel].map(([c, l]) => [c, latencySummary(l)])),
    eventsNotOnTopicAfter60s: runs.reduce((a, r) => a + r.missing, 0),
    eventAfterAck: eventAfterAck(paced, counter),
    eventStages: pooledSplit(runs.map((r) => r.stages)),
  };
}

/**
 * For each acknowledged petition, ms from its 2xx to its canonical event's arrival at the event
 * reader (read_committed): what a case system waits for once the citizen has an answer.
 */
function eventAfterAck(
  paced: PacedResult[],
  counter: EventCounter,
): ReturnType<typeof latencySummary> {
  const delays: number[] = [];
  for (const r of paced)
    for (const [id, at] of r.ackedAt) {
      const seen = counter.firstSeen.get(id);
      if (seen !== undefined) delays.push(seen - at);
    }
  return latencySummary(delays);
}

/** Rounds of each policy, alternated so that drift on a noisy machine falls on both. */
async function transactionBackoff(
  brokers: string[],
  topic: string,
): Promise<{ shipped: TransactionRun[]; former: TransactionRun[]; ratio: number }> {
  const kafka = new Kafka({ clientId: 'bench-admin', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
  });
  await admin.disconnect();
  const former = { ...TRANSACTION_RETRY, initialRetryTime: 100 };
  await backToBackTransactions(brokers, topic, TRANSACTION_RETRY, 20); // warm-up
  const runs = { shipped: [] as TransactionRun[], former: [] as TransactionRun[] };
  for (let round = 0; round < 2; round++) {
    runs.former.push(await backToBackTransactions(brokers, topic, former, 300));
    runs.shipped.push(await backToBackTransactions(brokers, topic, TRANSACTION_RETRY, 300));
  }
  const seconds = (xs: TransactionRun[]): number => xs.reduce((a, x) => a + x.seconds, 0);
  return { ...runs, ratio: seconds(runs.shipped) / seconds(runs.former) };
}

function report(r: Record<string, unknown>, profiles: ProfileSummary[]): void {
  const m = r.machine as Record<string, unknown>;
  const tp = r.throughput as ThroughputResult | undefined;
  const lat = r.latency as
    | {
        ack: ReturnType<typeof latencySummary>;
        ackFromDueTime: ReturnType<typeof latencySummary>;
        eventAfterAck: ReturnType<typeof latencySummary>;
        eventStages: StageSplit;
        normalizerNice: number;
        baselineNiceZero: {
          ack: ReturnType<typeof latencySummary>;
          eventAfterAck: ReturnType<typeof latencySummary>;
          eventStages: StageSplit;
        };
        ackP99Ratio: number;
        perChannel: Record<string, ReturnType<typeof latencySummary>>;
        statusCodes: Record<string, number>;
        autocannonFixedRate: { ack: ReturnType<typeof latencySummary> };
      }
    | undefined;
  const ceil = r.ceiling as
    | {
        perSecond: number;
        ratioEndToEnd: number;
        ratioHttpAccepted: number;
        runs: CeilingRun[];
        avgPayloadBytes: number;
      }
    | undefined;
  const j = r.judgement as
    | {
        durable: { perSecond: number; usPerRecord: number; perCpuSecond: number };
        noSync: { perSecond: number; usPerRecord: number; perCpuSecond: number };
        stages: Record<string, { usPerRecord: number; share: number }>;
      }
    | undefined;
  const t = r.transactions as
    { shipped: TransactionRun[]; former: TransactionRun[]; ratio: number } | undefined;
  const d = r.dedup as Record<string, number> | null | undefined;
  const load = (x: unknown): string => (x as number[]).map((v) => v.toFixed(2)).join(' ');
  const rows: [string, string, string?][] = [
    [
      'machine',
      `${String(m.nproc)} cores`,
      `${String(m.cpu)}, node ${String(m.node)}, load ${load(m.loadAtStart)} → ${load(r.loadAtEnd)}`,
    ],
  ];
  if (tp) {
    rows.push(
      [
        'channels',
        String(Object.keys(tp.perChannel).length),
        Object.keys(tp.perChannel).join(', '),
      ],
      [
        'requests (accepted)',
        f0(tp.accepted),
        `${f0(tp.requests)} sent, ${tp.connections} connections, codes ${JSON.stringify(tp.statusCodes)}`,
      ],
      [
        'accepted over HTTP /s',
        f0(tp.httpPerSecond),
        `2xx = durable on petition.raw.v1, in ${f1(tp.httpSeconds)} s`,
      ],
      [
        'end to end /s',
        f0(tp.e2ePerSecond),
        `${verdict(tp.e2ePerSecond >= TARGETS.e2ePerSecond)} (target ≥ ${TARGETS.e2ePerSecond}); missing events: ${tp.missing}`,
      ],
    );
    for (const [c, s] of Object.entries(tp.perChannel))
      rows.push([
        `  ${c}`,
        f0(s.e2ePerSecond),
        `HTTP ${f0(s.httpPerSecond)}/s, p99 under load ${f1(s.p99Ms)} ms`,
      ]);
  }
  if (ceil) {
    rows.push(
      [
        'producer ceiling /s',
        f0(ceil.perSecond),
        ceil.runs
          .map(
            (x) =>
              `${x.producers}×batch ${x.batch}: ${f0(x.perSecond)}/s ${f1(x.mbPerSecond)} MB/s`,
          )
          .join('; ') + `; ${f0(ceil.avgPayloadBytes)} B/payload`,
      ],
      [
        'ratio end to end / ceiling',
        f2(ceil.ratioEndToEnd),
        `${verdict(ceil.ratioEndToEnd >= TARGETS.ceilingRatio)} (target ≥ ${TARGETS.ceilingRatio}); HTTP accepted / ceiling ${f2(ceil.ratioHttpAccepted)}`,
      ],
    );
  }
  if (lat) {
    rows.push(
      [
        'ack p50 ms @1,000/s',
        f1(lat.ack.p50),
        `open loop, ${f0(lat.ack.n)} requests, codes ${JSON.stringify(lat.statusCodes)}; normalizer at nice ${lat.normalizerNice}`,
      ],
      ['ack p95 ms @1,000/s', f1(lat.ack.p95)],
      [
        'ack p99 ms @1,000/s',
        f1(lat.ack.p99),
        `${verdict(lat.ack.p99 <= TARGETS.p99Ms)} (target ≤ ${TARGETS.p99Ms}); from due time ${f1(lat.ackFromDueTime.p99)}; max ${f1(lat.ack.max)}`,
      ],
    );
    for (const [c, s] of Object.entries(lat.perChannel))
      rows.push([`  ${c} p50/p95/p99`, `${f1(s.p50)}/${f1(s.p95)}/${f1(s.p99)}`]);
    const e = lat.eventAfterAck;
    rows.push([
      'event after ack p50/p95/p99',
      `${f0(e.p50)}/${f0(e.p95)}/${f0(e.p99)}`,
      `ms from the 2xx to its event on petition.events.v1 (read_committed), ${f0(e.n)} events`,
    ]);
    const st = lat.eventStages;
    rows.push([
      "  the normalizer's split, mean ms",
      STAGES.map((k) => f1(st.stageMeanMs[k])).join('/'),
      `${STAGES.join('/')} = ${f1(st.meanMs)} ms from each record's Kafka timestamp to its commit, ${f0(st.records)} records (its /metrics)`,
    ]);
    const b = lat.baselineNiceZero;
    rows.push(
      [
        'baseline, normalizer at nice 0: ack p50/p95/p99',
        `${f1(b.ack.p50)}/${f1(b.ack.p95)}/${f1(b.ack.p99)}`,
        `alternated with the runs above; ack p99 ratio nice ${lat.normalizerNice} / nice 0: ${f2(lat.ackP99Ratio)}`,
      ],
      [
        '  event after ack p50/p95/p99',
        `${f0(b.eventAfterAck.p50)}/${f0(b.eventAfterAck.p95)}/${f0(b.eventAfterAck.p99)}`,
        `the normalizer's split ${STAGES.map((k) => f1(b.eventStages.stageMeanMs[k])).join('/')} = ${f1(b.eventStages.meanMs)} ms`,
      ],
    );
    const a = lat.autocannonFixedRate.ack;
    rows.push([
      'autocannon -R p50/p95/p99',
      `${f1(a.p50)}/${f1(a.p95)}/${f1(a.p99)}`,
      "bursty: each connection sends its second's quota at once",
    ]);
  }
  if (t) {
    const describe = (runs: TransactionRun[]): string =>
      runs
        .map(
          (x) =>
            `${f0(x.perSecond)}/s p50/p95/p99 ${f1(x.latency.p50)}/${f1(x.latency.p95)}/${f1(x.latency.p99)} ms, ${x.concurrentRetries} concurrent-transaction retries`,
        )
        .join('; ');
    const meanRate = (runs: TransactionRun[]): number =>
      runs.reduce((a, x) => a + x.perSecond, 0) / runs.length;
    rows.push(
      [
        `transactions, ${f0(TRANSACTION_RETRY.initialRetryTime ?? NaN)} ms back-off`,
        f0(meanRate(t.shipped)),
        describe(t.shipped),
      ],
      ['transactions, 100 ms back-off', f0(meanRate(t.former)), describe(t.former)],
      ['time ratio shipped / 100 ms', f2(t.ratio), 'same transactions, same broker, alternated'],
    );
  }
  if (j) {
    rows.push(
      [
        'record step /s (1 thread)',
        f0(j.durable.perSecond),
        `whole RawRecordProcessor, durable LMDB as deployed, ${f0(j.durable.usPerRecord)} µs/record, ${f0(j.durable.perCpuSecond)} per CPU-second`,
      ],
      [
        'record step /s, noSync',
        f0(j.noSync.perSecond),
        `${f0(j.noSync.usPerRecord)} µs/record: fsync waits are the difference`,
      ],
    );
    for (const [stage, s] of Object.entries(j.stages))
      rows.push([`  ${stage}`, `${f0(s.usPerRecord)} µs`, pct(s.share)]);
  }
  if (d) {
    rows.push(
      [
        'dedup judge @10k',
        `${f0(d.at10kMicros ?? NaN)} µs`,
        'LMDB noSync, lookup + decision + commit',
      ],
      [
        `dedup judge @${f0(d.bigSize ?? NaN)}`,
        `${f0(d.atBigMicros ?? NaN)} µs`,
        `ratio ${f2(d.ratio ?? NaN)}×`,
      ],
      ['bytes per stored petition', f0(d.bytesPerPetition ?? NaN), 'LMDB pages in use / petitions'],
    );
  }
  const mem = r.memoryAtEnd as Record<string, { rssKb: number; peakKb: number }> | undefined;
  if (mem)
    rows.push([
      'app memory (peak RSS)',
      `${f0((mem.gatewayKb?.peakKb ?? 0) / 1024)} MB`,
      `gateway; normalizer ${f0((mem.normalizerKb?.peakKb ?? 0) / 1024)} MB`,
    ]);
  rows.push(['bench wall time', `${f0(r.seconds as number)} s`]);
  console.log(table('petition gateway benchmark', rows));
  for (const p of profiles)
    printProfile(p.file.includes('gateway') ? 'gateway CPU profile' : 'normalizer CPU profile', p);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
