/**
 * Throughput of the whole judgement step per core: the normalizer's RawRecordProcessor (parse,
 * validate, replay claim, normalise, classify, locality, urgency, routing, deadlines, dedup with a
 * durable LMDB commit per batch, schema validation, serialisation) over real messages, one thread,
 * in batches as the Kafka consumer hands them over.
 */
import { judgementThroughput } from '../../bench/lib/judgement';
import { loadMessages } from '../../bench/lib/data';

async function main(): Promise<void> {
  const messages = loadMessages();
  for (const batchSize of [1, 100, 500]) {
    const r = await judgementThroughput(messages, 'durable', 20_000, 20, batchSize);
    console.log(
      `batch ${String(batchSize).padStart(3)}: ${Math.round(r.perCpuSecond).toLocaleString('en-US')} petitions per CPU-second ` +
        `(${Math.round(r.perSecond).toLocaleString('en-US')}/s wall, ${r.usPerRecord.toFixed(0)} µs each; ` +
        `${r.records} records, outcomes ${JSON.stringify(r.outcomes)})`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
