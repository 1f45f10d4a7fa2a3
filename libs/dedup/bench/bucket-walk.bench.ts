/* eslint-disable no-console -- a benchmark prints its results */
/**
 * Reading a judgement's 16 LSH buckets from an index far larger than the CPU caches: the chains
 * walked in lockstep (BucketIndex.listsInto, what the LMDB store does) against the baseline of one
 * chain after another (listsInto one key at a time), interleaved in one process on one index.
 *
 *   npx ts-node -T -r tsconfig-paths/register libs/dedup/bench/bucket-walk.bench.ts
 *
 * The index holds BUCKET_BENCH_PETITIONS (default 1,000,000) petitions × 16 bands, each band
 * 30,000 buckets (about 33 entries each, more than the 24 a lookup reads), as the buckets of
 * common phrases are in a large store. Synthetic keys, so no data is needed.
 */
import { BucketIndex } from '../src/bucket-index';
import { fmix32 } from '../src/min-hash.fingerprint';

const PETITIONS = Number(process.env.BUCKET_BENCH_PETITIONS ?? 1_000_000);
const BANDS = 16;
const BUCKETS_PER_BAND = 30_000;
const CAP = 24;
const LOOKUPS = 100_000;
const ROUNDS = 3;

let counter = 1;
const bucketKey = (band: number): number =>
  (band << 17) | ((fmix32(counter++) >>> 0) % BUCKETS_PER_BAND);

const index = new BucketIndex();
for (let seq = 1; seq <= PETITIONS; seq++)
  for (let band = 0; band < BANDS; band++) index.push(bucketKey(band), seq);

const keys = new Array<number>(BANDS);
const outs: number[][] = [];
const one: number[][] = [[]];

/** µs per lookup of 16 buckets; `walk` returns the entries read so that nothing is optimised away. */
function time(walk: () => number): { us: number; entries: number } {
  let entries = 0;
  const start = process.hrtime.bigint();
  for (let q = 0; q < LOOKUPS; q++) {
    for (let band = 0; band < BANDS; band++) keys[band] = bucketKey(band);
    entries += walk();
  }
  return {
    us: Number(process.hrtime.bigint() - start) / 1000 / LOOKUPS,
    entries: entries / LOOKUPS,
  };
}

const lockstep = (): number => {
  let n = 0;
  for (const list of index.listsInto(keys, CAP, outs)) n += list.length;
  return n;
};
const oneByOne = (): number => {
  let n = 0;
  for (const key of keys) n += (index.listsInto([key], CAP, one)[0] ?? []).length;
  return n;
};

console.log(
  `bucket walk: ${PETITIONS.toLocaleString('en')} petitions × ${BANDS} bands, index ${(index.bytes / 2 ** 20).toFixed(0)} MiB, ${LOOKUPS.toLocaleString('en')} lookups of ${BANDS} buckets (cap ${CAP}) per run`,
);
for (let round = 1; round <= ROUNDS; round++) {
  const base = time(oneByOne);
  const mine = time(lockstep);
  console.log(
    `  run ${round}: one chain at a time ${base.us.toFixed(1)} µs, lockstep ${mine.us.toFixed(1)} µs ` +
      `(${(base.us / mine.us).toFixed(2)}× faster; ${mine.entries.toFixed(0)} entries read per lookup)`,
  );
}
