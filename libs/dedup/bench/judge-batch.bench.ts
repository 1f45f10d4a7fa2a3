/* eslint-disable no-console -- a benchmark prints its results */
/**
 * CPU and wall time of DedupEngine.judgeBatch(500) on a durable LMDB store holding 10,000
 * petitions, on the real public messages (read at run time from ../shared/data, never copied).
 *
 *   npx ts-node -T -r tsconfig-paths/register libs/dedup/bench/judge-batch.bench.ts
 *
 * DEDUP_BENCH_BASELINE=<dir of another libs/dedup/src> measures that copy too (e.g. the previous
 * commit: `git archive <rev> libs/dedup/src | tar -x -C .cache/dedup-baseline`), interleaved batch
 * by batch with this one so that both see the same machine load. CPU is process.cpuUsage()
 * user+system: it counts every thread (LMDB's commit thread and fsync, GC helpers).
 * DEDUP_BENCH_ROUNDS (default 10) batches are measured per engine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as current from '@app/dedup';
// The shared-data reader alone: the @app/testing barrel would load the apps it can boot.
import { readJsonl } from '../../../test/support/shared-data';
import { median } from '../../../test/support/median';
import { seededRandom as rng } from '../../../test/support/seeded-random';

type DedupLib = Pick<typeof current, 'DedupEngine' | 'LmdbDedupStore'>;

const BATCH = 500;
const STORED = 10_000;
const ROUNDS = Number(process.env.DEDUP_BENCH_ROUNDS ?? 10);

/** Stand-in for @app/text's matchText (computed outside the timed region). */
function matchText(raw: string): string {
  return raw
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

function loadTexts(): string[] {
  const out: string[] = [];
  for (const file of [
    'messages_with_likes.jsonl',
    'messages_unlabeled.jsonl',
    'messages_with_replies.jsonl',
  ]) {
    for (const m of readJsonl<{ title?: string; text?: string }>(file)) {
      const t = matchText(`${m.title ?? ''}${m.text ?? ''}`);
      if (t.length > 0) out.push(t);
    }
  }
  return out;
}

/**
 * The n-th petition of a run: a real text, now and then with a few characters changed, from one
 * of 5,000 senders, so duplicates, repeats and clusters all occur as in production.
 */
function inputAt(texts: string[], n: number, r: () => number): current.DedupInput {
  let text = texts[Math.floor(r() * texts.length)] ?? '';
  if (r() < 0.2 && text.length > 10) {
    const pos = Math.floor(r() * (text.length - 5));
    text = text.slice(0, pos) + '的' + text.slice(pos + 2);
  }
  return {
    petitionId: `p${n}`,
    identityKey: `sender:${Math.floor(r() * 5000)}`,
    matchText: text,
    locality: `A${Math.floor(r() * 9) + 1}区`,
    receivedAt: new Date(Date.UTC(2024, 0, 1) + n * 60_000),
  };
}

interface Subject {
  name: string;
  engine: InstanceType<DedupLib['DedupEngine']>;
  store: InstanceType<DedupLib['LmdbDedupStore']>;
  dir: string;
  next: number;
  r: () => number;
  cpu: number[];
  wall: number[];
}

function open(name: string, lib: DedupLib): Subject {
  const dir = mkdtempSync(join(tmpdir(), 'dedup-bench-'));
  const store = new lib.LmdbDedupStore({ path: dir });
  const engine = new lib.DedupEngine(store, { identitySecret: 'bench' });
  return { name, engine, store, dir, next: 0, r: rng(1), cpu: [], wall: [] };
}

async function runBatch(s: Subject, texts: string[]): Promise<[number, number]> {
  const inputs = Array.from({ length: BATCH }, () => inputAt(texts, s.next++, s.r));
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  await s.engine.judgeBatch(inputs);
  const wall = Number(process.hrtime.bigint() - wall0) / 1000 / BATCH;
  const c = process.cpuUsage(cpu0);
  return [(c.user + c.system) / BATCH, wall];
}

async function main(): Promise<void> {
  const texts = loadTexts();
  const avg = texts.reduce((a, t) => a + t.length, 0) / texts.length;
  console.log(`${texts.length} real texts, ${avg.toFixed(0)} chars of matchText on average`);
  const subjects = [open('current', current)];
  const baseDir = process.env.DEDUP_BENCH_BASELINE;
  if (baseDir) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a copy chosen at run time
    subjects.push(open('baseline', require(resolve(baseDir)) as DedupLib));
  }
  for (const s of subjects) {
    while (s.next < STORED) await runBatch(s, texts);
  }
  // Warm-up round not counted, then rounds interleaved across subjects.
  for (const s of subjects) await runBatch(s, texts);
  for (let i = 0; i < ROUNDS; i++) {
    for (const s of subjects) {
      const [cpu, wall] = await runBatch(s, texts);
      s.cpu.push(cpu);
      s.wall.push(wall);
    }
  }
  for (const s of subjects) {
    const stored = s.store.petitionCount;
    console.log(
      `${s.name.padEnd(9)} judgeBatch(${BATCH}) durable at ${STORED.toLocaleString('en')}+ stored (${stored} records): ` +
        `CPU ${median(s.cpu).toFixed(1)} µs/petition (median of ${ROUNDS}; min ${Math.min(...s.cpu).toFixed(1)}), ` +
        `wall ${median(s.wall).toFixed(1)} µs/petition (min ${Math.min(...s.wall).toFixed(1)})`,
    );
    await s.store.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
