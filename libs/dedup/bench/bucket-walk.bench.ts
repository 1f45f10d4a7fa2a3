/* eslint-disable no-console -- a benchmark prints its results */
/**
 * Reading a judgement's buckets from an index far larger than the CPU caches, all of them in one
 * BucketIndex.listsInto call (what the LMDB store does: home slots read first, then the chains in
 * lockstep) against the baseline of one bucket after another (listsInto one key at a time),
 * interleaved in one process on one index.
 *
 *   npx ts-node -T -r tsconfig-paths/register libs/dedup/bench/bucket-walk.bench.ts
 *
 * Two indexes of BUCKET_BENCH_PETITIONS (default 1,000,000) petitions, synthetic keys (no data):
 * - full: 16 bands, each of 30,000 buckets (about 33 entries each, more than the 24 a lookup
 *   reads), as the buckets of common phrases are in a large store;
 * - sparse: 18 keys per petition, nearly all distinct, as most LSH and entity keys are (the
 *   quality script's lookups at a million find 0.6 entries per bucket); half of a lookup's keys
 *   exist.
 */
import { BucketIndex } from '../src/bucket-index';
import { fmix32 } from '../src/min-hash.fingerprint';

const PETITIONS = Number(process.env.BUCKET_BENCH_PETITIONS ?? 1_000_000);
const CAP = 24;
const LOOKUPS = 100_000;
const ROUNDS = 3;

interface Scenario {
  name: string;
  index: BucketIndex;
  keysPerLookup: number;
  /** The keys of the next lookup, written into `keys`. */
  nextKeys: (keys: number[]) => void;
}

let counter = 1;

function fullBuckets(): Scenario {
  const bands = 16;
  const perBand = 30_000;
  const key = (band: number): number => (band << 17) | ((fmix32(counter++) >>> 0) % perBand);
  const index = new BucketIndex();
  for (let seq = 1; seq <= PETITIONS; seq++)
    for (let band = 0; band < bands; band++) index.push(key(band), seq);
  return {
    name: `full buckets, ${bands} bands × ${perBand.toLocaleString('en')}`,
    index,
    keysPerLookup: bands,
    nextKeys: (keys) => {
      for (let band = 0; band < bands; band++) keys[band] = key(band);
    },
  };
}

function sparseBuckets(): Scenario {
  const perPetition = 18;
  const pushed = PETITIONS * perPetition;
  const index = new BucketIndex();
  for (let i = 0; i < pushed; i++) index.push(fmix32(i) | 0, Math.floor(i / perPetition) + 1);
  return {
    name: `sparse buckets, ${perPetition} keys per petition`,
    index,
    keysPerLookup: perPetition,
    nextKeys: (keys) => {
      for (let k = 0; k < perPetition; k++) {
        const r = fmix32(counter++) >>> 0;
        keys[k] = r % 2 === 0 ? fmix32(r % pushed) | 0 : fmix32(pushed + r) | 0;
      }
    },
  };
}

/** µs per lookup; `walk` returns the entries read so that nothing is optimised away. */
function time(s: Scenario, keys: number[], walk: () => number): { us: number; entries: number } {
  let entries = 0;
  const start = process.hrtime.bigint();
  for (let q = 0; q < LOOKUPS; q++) {
    s.nextKeys(keys);
    entries += walk();
  }
  return {
    us: Number(process.hrtime.bigint() - start) / 1000 / LOOKUPS,
    entries: entries / LOOKUPS,
  };
}

for (const make of [fullBuckets, sparseBuckets]) {
  const s = make();
  const keys = new Array<number>(s.keysPerLookup);
  const outs: number[][] = [];
  const one: number[][] = [[]];
  const together = (): number => {
    let n = 0;
    for (const list of s.index.listsInto(keys, CAP, outs)) n += list.length;
    return n;
  };
  const oneByOne = (): number => {
    let n = 0;
    for (const key of keys) n += (s.index.listsInto([key], CAP, one)[0] ?? []).length;
    return n;
  };
  console.log(
    `bucket walk, ${s.name}: ${PETITIONS.toLocaleString('en')} petitions, index ${(s.index.bytes / 2 ** 20).toFixed(0)} MiB, ` +
      `${LOOKUPS.toLocaleString('en')} lookups of ${s.keysPerLookup} buckets (cap ${CAP}) per run`,
  );
  for (let round = 1; round <= ROUNDS; round++) {
    const base = time(s, keys, oneByOne);
    const mine = time(s, keys, together);
    console.log(
      `  run ${round}: one bucket at a time ${base.us.toFixed(1)} µs, all in one call ${mine.us.toFixed(1)} µs ` +
        `(${(base.us / mine.us).toFixed(2)}× faster; ${mine.entries.toFixed(1)} entries read per lookup)`,
    );
  }
}
