/**
 * Throughput per core, over real messages, on one thread, in batches as the Kafka consumer hands
 * them over, with the dedup store durable (fsync per batch) as the normalizer runs it:
 *  - the judgement step: from a validated raw petition to its judged event (text cleaning, E.164,
 *    identity key, script, category, intent, locality, urgency, routing, deadlines, dedup) — the
 *    figure the ≥ 10,000/s per core target is about;
 *  - the whole record step: the same plus the Kafka value's JSON parse and schema check, the replay
 *    claim (durable), the event's schema self-check and its serialisation.
 * "Per core" is records per CPU-second of the whole process (all threads), so work moved to
 * another thread is still counted; wall-clock rates are printed beside it.
 */
import { judgementStepThroughput, judgementThroughput } from '../../bench/lib/judgement';
import type { JudgementThroughput } from '../../bench/lib/judgement';
import { loadMessages } from '../../bench/lib/data';

function line(label: string, r: JudgementThroughput): string {
  const f0 = (x: number): string => Math.round(x).toLocaleString('en-US');
  return (
    `${label}: ${f0(r.perCpuSecond)} petitions per CPU-second ` +
    `(${f0(r.perSecond)}/s wall, ${r.usPerRecord.toFixed(0)} µs each; ` +
    `${r.records} records, outcomes ${JSON.stringify(r.outcomes)})`
  );
}

async function main(): Promise<void> {
  const messages = loadMessages();
  // Warm-up: JIT and page cache, not counted.
  await judgementStepThroughput(messages, 'durable', 3000, 10, 500);
  console.log('judgement step (target ≥ 10,000 per core):');
  for (const batchSize of [1, 100, 500]) {
    const r = await judgementStepThroughput(messages, 'durable', 20_000, 20, batchSize);
    console.log(line(`  batch ${String(batchSize).padStart(3)}`, r));
  }
  console.log('whole record step (parse, raw schema, replay claim, judgement, self-check, JSON):');
  for (const batchSize of [1, 100, 500]) {
    const r = await judgementThroughput(messages, 'durable', 20_000, 20, batchSize);
    console.log(line(`  batch ${String(batchSize).padStart(3)}`, r));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
