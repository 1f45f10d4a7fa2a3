/**
 * Dedup quality, measured on the real public messages (read at run time from ../shared/data, never
 * copied): duplicate recall and false matches on generated near-duplicates, the two gold hot issues,
 * and judge cost at 10k and 1M stored petitions with bytes per petition.
 *
 *   npx ts-node -T -r tsconfig-paths/register scripts/quality/dedup.ts
 *
 * DEDUP_QUALITY_FILL overrides the large fill size (default 1,000,000). Every engine uses the
 * shipped matter lexicon (config/matters.yaml) as the normalizer does; DEDUP_QUALITY_MATTERS=off
 * runs without it (joins by entity key alone, for comparison).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Converter } from 'opencc-js';
import {
  DedupEngine,
  LmdbDedupStore,
  MemoryDedupStore,
  DEFAULT_DEDUP_OPTIONS,
  fingerprint,
  MINHASH_SIZE,
  type BulkRecord,
  type DedupOptions,
  type DedupStore,
  type DedupVerdict,
} from '@app/dedup';
import { loadMatterLexicon } from '@app/routing';
import { readJsonl } from '@app/testing';
import { seededRandom as rng } from '../../test/support/seeded-random';

interface Message {
  id: string;
  title?: string;
  text?: string;
  user?: string;
  time_iso?: string;
}

interface Doc {
  key: string;
  id: string;
  raw: string;
  match: string;
  user: string;
  at: number;
  locality: string | null;
}

const toTraditional = Converter({ from: 'cn', to: 'tw' });
const toSimplified = Converter({ from: 'tw', to: 'cn' });

/** Stand-in for @app/text's matchText: tw→cn, NFKC, lower-case, letters and digits only. */
function matchText(raw: string): string {
  return toSimplified(raw.normalize('NFKC'))
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** The dataset's anonymised districts/counties (A1区 … K9县); null when a message names none. */
function localityOf(raw: string): string | null {
  return /[A-K]\d{1,2}[区县]/u.exec(raw)?.[0] ?? null;
}

function loadCorpus(): Doc[] {
  const seen = new Set<string>();
  const docs: Doc[] = [];
  for (const file of ['messages_with_likes.jsonl', 'messages_unlabeled.jsonl']) {
    for (const m of readJsonl<Message>(file)) {
      const raw = `${m.title ?? ''}\n${m.text ?? ''}`;
      const match = matchText(raw);
      // Exact duplicates (exact_duplicate_groups.jsonl and cross-file copies) are one message here.
      if (match.length === 0 || seen.has(match)) continue;
      seen.add(match);
      const at = Date.parse(`${m.time_iso ?? '2019-01-01T00:00:00'}Z`);
      docs.push({
        key: `${file}:${m.id}`,
        id: m.id,
        raw,
        match,
        user: m.user ?? '',
        at: Number.isFinite(at) ? at : 0,
        locality: localityOf(raw),
      });
    }
  }
  return docs;
}

// ---------------------------------------------------------------------------------------------
// Near-duplicate variants

const FULL_TO_HALF: Record<string, string> = {
  '，': ',',
  '。': '.',
  '！': '!',
  '？': '?',
  '：': ':',
  '；': ';',
  '（': '(',
  '）': ')',
  '“': '"',
  '”': '"',
};
const HALF_TO_FULL: Record<string, string> = {
  ',': '，',
  '.': '。',
  '!': '！',
  '?': '？',
  ':': '：',
  ';': '；',
  '(': '（',
  ')': '）',
};

type VariantKind = 'edits' | 'reorder' | 'traditional' | 'punctuation' | 'greeting' | 'all';
const VARIANTS: VariantKind[] = [
  'edits',
  'reorder',
  'traditional',
  'punctuation',
  'greeting',
  'all',
];

function edit(raw: string, r: () => number, count = 3): string {
  const chars = Array.from(raw);
  for (let i = 0; i < count && chars.length > 1; i++) {
    const pos = Math.floor(r() * chars.length);
    const donor = chars[Math.floor(r() * chars.length)] ?? '的';
    const op = Math.floor(r() * 3);
    if (op === 0) chars.splice(pos, 0, donor);
    else if (op === 1) chars.splice(pos, 1);
    else chars[pos] = donor;
  }
  return chars.join('');
}

function reorder(raw: string, r: () => number): string {
  const sentences = raw.match(/[^。！？!?\n]+[。！？!?\n]*/gu) ?? [raw];
  if (sentences.length < 2) return raw;
  const i = Math.floor(r() * sentences.length);
  let j = Math.floor(r() * (sentences.length - 1));
  if (j >= i) j++;
  const a = sentences[i] ?? '';
  sentences[i] = sentences[j] ?? '';
  sentences[j] = a;
  return sentences.join('');
}

function swapPunctuation(raw: string): string {
  return Array.from(raw)
    .map((c) => FULL_TO_HALF[c] ?? HALF_TO_FULL[c] ?? c)
    .join('');
}

function variant(kind: VariantKind, raw: string, r: () => number): string {
  switch (kind) {
    case 'edits':
      return edit(raw, r);
    case 'reorder':
      return reorder(raw, r);
    case 'traditional':
      return toTraditional(raw);
    case 'punctuation':
      return swapPunctuation(raw);
    case 'greeting':
      return `尊敬的领导，您好！${raw}`;
    case 'all':
      return `尊敬的领导，您好！${swapPunctuation(toTraditional(reorder(edit(raw, r, 2), r)))}`;
  }
}

// ---------------------------------------------------------------------------------------------

/** Independent of the engine: 1 − Levenshtein / longer length, on the first 1,500 characters. */
function editSimilarity(a: string, b: string): number {
  const x = Array.from(a).slice(0, 1500);
  const y = Array.from(b).slice(0, 1500);
  if (x.length === 0 && y.length === 0) return 1;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (cur[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return 1 - (prev[y.length] ?? 0) / Math.max(x.length, y.length);
}

const MATTERS_FILE = join(__dirname, '..', '..', 'config', 'matters.yaml');
const matters =
  process.env.DEDUP_QUALITY_MATTERS === 'off' ? null : loadMatterLexicon(MATTERS_FILE);

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

async function duplicateQuality(
  docs: Doc[],
  options: Partial<DedupOptions>,
): Promise<Record<string, unknown>> {
  const engine = new DedupEngine(new MemoryDedupStore(), options, matters);
  // Harshest setting: one sender wrote every distinct message, all inside the duplicate window, so
  // every pair of distinct messages is a chance for a false duplicate.
  const sender = 'one-sender';
  const base = Date.UTC(2024, 0, 1);
  const rootOf = new Map<string, string>();
  let falseDup = 0;
  let falseDupSameUser = 0;
  let repeats = 0;
  const byKey = new Map(docs.map((d) => [d.key, d]));
  for (const [i, d] of docs.entries()) {
    const v = await engine.judge({
      petitionId: d.key,
      identityKey: sender,
      matchText: d.match,
      locality: d.locality,
      receivedAt: new Date(base + i * 60_000),
    });
    rootOf.set(d.key, v.outcome === 'duplicate' && v.of ? v.of : d.key);
    if (v.outcome === 'duplicate') {
      falseDup++;
      const other = v.of ? byKey.get(v.of) : undefined;
      // The corpus holds the same message under different ids and users across tables, and users
      // reposting with edits: a pair that is ≥ 0.8 similar by edit distance is a real near-duplicate.
      if (other && editSimilarity(other.match, d.match) >= 0.8) falseDupSameUser++;
    }
    if (v.outcome === 'repeat') repeats++;
  }
  const r = rng(42);
  const sample = docs.filter(() => r() < 1500 / docs.length);
  const perKind: Record<string, { n: number; hit: number; wrong: number; wrongRepost: number }> =
    {};
  let t = base + docs.length * 60_000;
  for (const kind of VARIANTS) {
    const stats = { n: 0, hit: 0, wrong: 0, wrongRepost: 0 };
    for (const d of sample) {
      const v: DedupVerdict = await engine.judge({
        petitionId: `${kind}:${d.key}`,
        identityKey: sender,
        matchText: matchText(variant(kind, d.raw, r)),
        locality: d.locality,
        receivedAt: new Date((t += 60_000)),
      });
      stats.n++;
      // An earlier variant of the same message that was stored (judged new or repeat, not
      // duplicate) is the same message: matching it is a hit.
      const root = rootOf.get(d.key);
      rootOf.set(`${kind}:${d.key}`, root ?? d.key);
      if (v.outcome === 'duplicate' && v.of !== null && rootOf.get(v.of) === root) stats.hit++;
      else if (v.outcome === 'duplicate') {
        stats.wrong++;
        // Same exclusion as for distinct messages: the "wrong" message is a real repost of the base.
        const other = v.of ? byKey.get(v.of) : undefined;
        if (other && editSimilarity(other.match, d.match) >= 0.8) stats.wrongRepost++;
      }
    }
    perKind[kind] = stats;
  }
  const all = Object.values(perKind).reduce(
    (a, s) => ({
      n: a.n + s.n,
      hit: a.hit + s.hit,
      wrong: a.wrong + s.wrong,
      wrongRepost: a.wrongRepost + s.wrongRepost,
    }),
    { n: 0, hit: 0, wrong: 0, wrongRepost: 0 },
  );
  const judged = docs.length + all.n;
  console.log(
    `\n== duplicate detection (${docs.length} distinct real messages, ${sample.length} sampled bases)`,
  );
  for (const [kind, s] of Object.entries(perKind)) {
    console.log(
      `  ${kind.padEnd(12)} recall ${pct(s.hit / s.n)}  (${s.hit}/${s.n}), duplicate of a wrong message ${s.wrong} (${s.wrongRepost} of them a real repost of the base)`,
    );
  }
  console.log(`  overall      recall ${pct(all.hit / all.n)}  (${all.hit}/${all.n})`);
  console.log(
    `  false matches: ${falseDup} distinct messages judged duplicate of another (${falseDupSameUser} of them ≥ 0.8 similar by edit distance: real reposts in the corpus), ` +
      `${all.wrong} variants judged duplicate of the wrong message (${all.wrongRepost} of them a real repost of the base) → false-match rate ${pct((falseDup + all.wrong) / judged)} of ${judged} judgements` +
      ` (${pct((falseDup - falseDupSameUser + all.wrong) / judged)} excluding real reposts among distinct messages,` +
      ` ${pct((falseDup - falseDupSameUser + all.wrong - all.wrongRepost) / judged)} excluding them among variants too; target ≤ 0.1%)`,
  );
  console.log(
    `  distinct messages judged "repeat" (same matter, same sender) of another: ${repeats} (${pct(repeats / docs.length)})`,
  );
  return {
    recall: all.hit / all.n,
    falseMatchRate: (falseDup + all.wrong) / judged,
    falseMatchRateExcludingReposts: (falseDup - falseDupSameUser + all.wrong) / judged,
    falseMatchRateExcludingAllReposts:
      (falseDup - falseDupSameUser + all.wrong - all.wrongRepost) / judged,
    perKind,
  };
}

/**
 * same_issue_pairs_algorithmic.jsonl: pairs of messages that at least two competition teams'
 * clustering put together. Not gold (algorithmic and noisy), but many more pairs than the two gold
 * issues: the share we put in one cluster is a rough same-issue recall, by support (teams agreeing).
 */
function algorithmicPairAgreement(
  byId: ReadonlyMap<string, Doc>,
  clusterOf: ReadonlyMap<string, string>,
): Record<string, { pairs: number; together: number }> {
  const bySupport: Record<string, { pairs: number; together: number }> = {};
  for (const pair of readJsonl<{ id_a: string; id_b: string; support: number }>(
    'same_issue_pairs_algorithmic.jsonl',
  )) {
    const a = byId.get(pair.id_a);
    const b = byId.get(pair.id_b);
    if (!a || !b || a.match === b.match) continue;
    const tally = (bySupport[pair.support >= 3 ? '≥3' : String(pair.support)] ??= {
      pairs: 0,
      together: 0,
    });
    tally.pairs++;
    if (clusterOf.get(a.key) === clusterOf.get(b.key)) tally.together++;
  }
  const parts = Object.entries(bySupport)
    .sort()
    .map(([k, t]) => `support ${k}: ${t.together}/${t.pairs} (${pct(t.together / t.pairs)})`);
  console.log(
    `  algorithmic same-issue pairs (≥2 competition teams agree; noisy, not gold) in one cluster: ${parts.join(', ')}`,
  );
  return bySupport;
}

async function hotIssueQuality(
  docs: Doc[],
  options: Partial<DedupOptions>,
  label: string,
): Promise<Record<string, unknown>> {
  const gold = readJsonl<{ id: string; cluster_id: string }>('hot_issue_examples.jsonl');
  const likes = docs.filter((d) => d.key.startsWith('messages_with_likes.jsonl:'));
  const byId = new Map(likes.map((d) => [d.id, d]));
  // Gold ids refer to messages_with_likes; copies with the same text are one message after dedup.
  const byMatch = new Map(docs.map((d) => [d.match, d]));
  const groups = new Map<string, Set<string>>();
  const rows = readJsonl<Message>('messages_with_likes.jsonl');
  const rawById = new Map(rows.map((m) => [m.id, `${m.title ?? ''}\n${m.text ?? ''}`]));
  for (const g of gold) {
    const raw = rawById.get(g.id);
    const d = byId.get(g.id) ?? (raw === undefined ? undefined : byMatch.get(matchText(raw)));
    if (!d) continue;
    const set = groups.get(g.cluster_id) ?? new Set<string>();
    set.add(d.key);
    groups.set(g.cluster_id, set);
  }
  const engine = new DedupEngine(new MemoryDedupStore(), options, matters);
  const clusterOf = new Map<string, string>();
  const members = new Map<string, string[]>();
  for (const d of [...likes].sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : 1))) {
    // Every message from a different person: same-issue, not repeat, is what is measured.
    const v = await engine.judge({
      petitionId: d.key,
      identityKey: `person:${d.key}`,
      matchText: d.match,
      locality: d.locality,
      receivedAt: new Date(d.at),
    });
    clusterOf.set(d.key, v.clusterId);
    members.set(v.clusterId, [...(members.get(v.clusterId) ?? []), d.key]);
  }
  console.log(
    `\n== same-issue clusters on messages_with_likes (${likes.length} messages), ${label}`,
  );
  const out: Record<string, unknown> = {};
  for (const [gid, keys] of groups) {
    const counts = new Map<string, number>();
    for (const k of keys)
      counts.set(clusterOf.get(k) ?? '?', (counts.get(clusterOf.get(k) ?? '?') ?? 0) + 1);
    const [bestCluster, best] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['?', 0];
    const size = members.get(bestCluster)?.length ?? 0;
    console.log(
      `  ${gid}: ${keys.size} distinct gold messages land in ${counts.size} clusters; largest holds ${best}/${keys.size}` +
        ` (purity of that cluster ${best}/${size}); cluster sizes of the gold messages: ${[...counts.values()].sort((a, b) => b - a).join(',')}`,
    );
    out[gid] = {
      gold: keys.size,
      clusters: counts.size,
      largest: best,
      purity: size ? best / size : 0,
    };
  }
  const sizes = [...members.values()].map((m) => m.length);
  console.log(
    `  all clusters: ${sizes.length}, of size ≥2: ${sizes.filter((s) => s >= 2).length}, largest ${Math.max(...sizes)}`,
  );
  out.algorithmicPairs = algorithmicPairAgreement(byId, clusterOf);
  return out;
}

/**
 * How often unrelated messages are merged. Two measurements, both with every message from a
 * different person and all of them inside one cluster window (the harshest setting: in the corpus
 * they are spread over years):
 *   - random: 2,000 random distinct messages (gold hot-issue messages left out). Any message that
 *     joins another's cluster counts, so this is an upper bound on false grouping: the corpus does
 *     hold real same-issue messages. Split into joins by text and joins by entity key only, with a
 *     sample of entity joins printed (titles) for a reader to judge.
 *   - labelled: dev_labeled.jsonl (true first-level category): a message joining a cluster whose
 *     first message has another category is certainly a false grouping.
 */
async function falseGroupingQuality(
  docs: Doc[],
  options: Partial<DedupOptions>,
): Promise<Record<string, unknown>> {
  const o = { ...DEFAULT_DEDUP_OPTIONS, ...options };
  const goldIds = new Set(readJsonl<{ id: string }>('hot_issue_examples.jsonl').map((g) => g.id));
  const r = rng(11);
  const pool = docs.filter((d) => !goldIds.has(d.id));
  const picked: Doc[] = [];
  for (const d of pool) if (r() < 2000 / pool.length) picked.push(d);
  const base = Date.UTC(2024, 0, 1);
  const judgeAll = async (
    items: { key: string; match: string; locality: string | null }[],
  ): Promise<DedupVerdict[]> => {
    const engine = new DedupEngine(new MemoryDedupStore(), options, matters);
    const out: DedupVerdict[] = [];
    for (const [i, d] of items.entries()) {
      out.push(
        await engine.judge({
          petitionId: d.key,
          identityKey: `person:${d.key}`,
          matchText: d.match,
          locality: d.locality,
          receivedAt: new Date(base + i * 60_000),
        }),
      );
    }
    return out;
  };
  const verdicts = await judgeAll(picked);
  const byKey = new Map(picked.map((d) => [d.key, d]));
  let byText = 0;
  let byEntity = 0;
  const samples: string[] = [];
  verdicts.forEach((v, i) => {
    const d = picked[i];
    if (!d || v.clusterId === d.key) return;
    if ((v.similarity ?? 0) >= o.matterThreshold) byText++;
    else {
      byEntity++;
      const root = byKey.get(v.clusterId);
      const title = (x: Doc | undefined): string => (x?.raw.split('\n')[0] ?? '?').slice(0, 28);
      if (samples.length < 12) samples.push(`    ${title(d)}  ⇄  ${title(root)}`);
    }
  });
  const n = picked.length;
  console.log(
    `\n== false grouping: ${n} random distinct messages, each from another person, all in one cluster window`,
  );
  console.log(
    `  joined another message's cluster: ${byText + byEntity} (${pct((byText + byEntity) / n)}; upper bound on false grouping):` +
      ` ${byText} by text similarity, ${byEntity} by entity key only (${pct(byEntity / n)})`,
  );
  if (samples.length > 0)
    console.log(`  entity-key joins (first ${samples.length}):\n${samples.join('\n')}`);

  const labelled = readJsonl<Message & { label?: string }>('dev_labeled.jsonl').map((m) => {
    const raw = `${m.title ?? ''}\n${m.text ?? ''}`;
    return {
      key: `dev:${m.id}`,
      match: matchText(raw),
      locality: localityOf(raw),
      label: m.label ?? '?',
    };
  });
  const labelOf = new Map(labelled.map((d) => [d.key, d.label]));
  const lv = await judgeAll(labelled);
  let joined = 0;
  let crossLabel = 0;
  lv.forEach((v, i) => {
    const d = labelled[i];
    if (!d || v.clusterId === d.key) return;
    joined++;
    if (labelOf.get(v.clusterId) !== d.label) crossLabel++;
  });
  console.log(
    `  labelled (${labelled.length} dev_labeled messages): ${joined} joined a cluster, ${crossLabel} of them a cluster of another category` +
      ` → certain false grouping ${pct(crossLabel / labelled.length)}`,
  );
  return {
    randomJoinRate: (byText + byEntity) / n,
    randomEntityJoinRate: byEntity / n,
    labelledCrossCategoryRate: crossLabel / labelled.length,
  };
}

async function costQuality(
  docs: Doc[],
  options: Partial<DedupOptions>,
): Promise<Record<string, unknown>> {
  const bigFill = Number(process.env.DEDUP_QUALITY_FILL ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'dedup-quality-'));
  // noSync: both sizes measured alike without fsync noise; durable commits add a constant per judge.
  const store = new LmdbDedupStore({ path: dir, noSync: true });
  // Splits each judgement into lookup+decision (inside work) and the commit that follows it.
  let lookupNanos = 0n;
  const timed: DedupStore = {
    transact: (work) => {
      const start = process.hrtime.bigint();
      return store.transact(async (tx) => {
        const result = await work(tx);
        lookupNanos += process.hrtime.bigint() - start;
        return result;
      });
    },
    // The engine takes the embedded store's synchronous path when there is one: time that too.
    transactSync: (work) => {
      const start = process.hrtime.bigint();
      return store.transactSync((tx) => {
        const result = work(tx);
        lookupNanos += process.hrtime.bigint() - start;
        return result;
      });
    },
    claimKey: (k, v, ttl) => store.claimKey(k, v, ttl),
    close: () => store.close(),
  };
  const engine = new DedupEngine(timed, options, matters);
  // Synthetic signatures that keep real collision structure: each position takes the value of a
  // real message at that position half the time (so popular shingles make hot buckets as real
  // text does), and a random value otherwise. Band keys follow from the signature in the store.
  const real = docs
    .map((d) => fingerprint(d.match).signature)
    .filter((m) => m.length === MINHASH_SIZE);
  const r = rng(7);
  const base = Date.UTC(2024, 0, 1);
  let made = 0;
  function* synthetic(count: number): Generator<BulkRecord> {
    for (let i = 0; i < count; i++, made++) {
      const signature = new Uint16Array(MINHASH_SIZE);
      for (let k = 0; k < MINHASH_SIZE; k++) {
        signature[k] =
          r() < 0.5 ? (real[Math.floor(r() * real.length)]?.[k] ?? 0) : Math.floor(r() * 65536);
      }
      const id = `syn${made}`;
      yield {
        record: {
          petitionId: id,
          identity: null,
          locality: 'A1区',
          receivedAt: base + (made % 20_000) * 60_000,
          clusterId: id,
          signature,
          shingleCount: 300,
        },
      };
    }
  }
  const queries = docs.slice(0, 6000);
  const time = async (qs: Doc[], tag: string): Promise<[number, number]> => {
    lookupNanos = 0n;
    const start = process.hrtime.bigint();
    for (const d of qs) {
      await engine.judge({
        petitionId: `${tag}:${d.key}`,
        identityKey: `q:${d.key}`,
        matchText: d.match,
        locality: d.locality,
        receivedAt: new Date(base + 10 * 86_400_000),
      });
    }
    const total = Number(process.hrtime.bigint() - start) / 1000 / qs.length;
    return [total, Number(lookupNanos) / 1000 / qs.length];
  };
  // judgeBatch: the same verdicts as judging one by one, one commit per BATCH judgements.
  const BATCH = 100;
  const timeBatched = async (qs: Doc[], tag: string): Promise<number> => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < qs.length; i += BATCH) {
      await engine.judgeBatch(
        qs.slice(i, i + BATCH).map((d) => ({
          petitionId: `${tag}:${d.key}`,
          identityKey: `q:${d.key}`,
          matchText: d.match,
          locality: d.locality,
          receivedAt: new Date(base + 10 * 86_400_000),
        })),
      );
    }
    return Number(process.hrtime.bigint() - start) / 1000 / qs.length;
  };
  console.log(`\n== judge cost (LMDB, noSync; 1,500 real-text judgements per size and mode)`);
  let t0 = Date.now();
  await store.bulkLoad(synthetic(10_000));
  const [at10k, look10k] = await time(queries.slice(0, 1500), 'q10k');
  const batch10k = await timeBatched(queries.slice(3000, 4500), 'b10k');
  const bytes10k = store.usedBytes() / store.petitionCount;
  const index10k = store.indexBytes() / store.petitionCount;
  console.log(
    `  10k: fill ${(Date.now() - t0) / 1000}s, judge ${at10k.toFixed(0)} µs/call (lookup+decision ${look10k.toFixed(0)} µs, commit the rest), ` +
      `judgeBatch(${BATCH}) ${batch10k.toFixed(0)} µs/petition, ${bytes10k.toFixed(0)} B/petition on disk + ${index10k.toFixed(0)} B/petition in memory (bucket index + record columns)`,
  );
  t0 = Date.now();
  const deadline = t0 + 170_000;
  let reached = store.petitionCount;
  while (reached < bigFill && Date.now() < deadline) {
    await store.bulkLoad(synthetic(Math.min(100_000, bigFill - reached)));
    reached = store.petitionCount;
  }
  const fillSeconds = (Date.now() - t0) / 1000;
  const [atBig, lookBig] = await time(queries.slice(1500, 3000), 'qbig');
  const batchBig = await timeBatched(queries.slice(4500, 6000), 'bbig');
  const bytesBig = store.usedBytes() / reached;
  const indexBig = store.indexBytes() / reached;
  console.log(
    `  ${reached.toLocaleString('en')}: fill ${fillSeconds}s, judge ${atBig.toFixed(0)} µs/call (lookup+decision ${lookBig.toFixed(0)} µs, commit the rest), ` +
      `judgeBatch(${BATCH}) ${batchBig.toFixed(0)} µs/petition, ${bytesBig.toFixed(0)} B/petition on disk + ${indexBig.toFixed(0)} B/petition in memory (bucket index + record columns)` +
      (reached < bigFill ? ` (stopped before ${bigFill.toLocaleString('en')}: fill too slow)` : ''),
  );
  console.log(
    `  ratio ${(atBig / at10k).toFixed(2)}× whole judge, ${(lookBig / look10k).toFixed(2)}× lookup+decision, ` +
      `${(batchBig / batch10k).toFixed(2)}× judgeBatch (target ≤ 1.5×)`,
  );
  await store.close();
  // Restart: the bucket index and the record columns are rebuilt from the records on disk.
  const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(0)} MiB`;
  const before = process.memoryUsage();
  const reopenStart = process.hrtime.bigint();
  const reopened = new LmdbDedupStore({ path: dir, noSync: true });
  const reopenSeconds = Number(process.hrtime.bigint() - reopenStart) / 1e9;
  const after = process.memoryUsage();
  const memoryPerPetition = reopened.indexBytes() / reopened.petitionCount;
  console.log(
    `  reopen at ${reopened.petitionCount.toLocaleString('en')} stored: ${reopenSeconds.toFixed(1)}s to rebuild the index; ` +
      `in memory ${memoryPerPetition.toFixed(0)} B/petition (bucket index + record columns, ${mb(reopened.indexBytes())}); ` +
      `process rss ${mb(after.rss)} (${mb(after.rss - before.rss)} more than before reopening), array buffers ${mb(after.arrayBuffers)}`,
  );
  await reopened.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    reopenSeconds,
    memoryBytesPerPetition: memoryPerPetition,
    at10kMicros: at10k,
    atBigMicros: atBig,
    bigSize: reached,
    ratio: atBig / at10k,
    batch10kMicros: batch10k,
    batchBigMicros: batchBig,
    batchRatio: batchBig / batch10k,
    bytesPerPetition: bytesBig,
    indexBytesPerPetition: indexBig,
  };
}

/** The judge-cost part alone (used by `npm run bench`): 10k and DEDUP_QUALITY_FILL stored petitions. */
export async function dedupCost(
  options: Partial<DedupOptions> = {},
): Promise<Record<string, unknown>> {
  return costQuality(loadCorpus(), options);
}

export async function dedupQuality(
  options: Partial<DedupOptions> = {},
): Promise<Record<string, unknown>> {
  const docs = loadCorpus();
  // DEDUP_QUALITY_ONLY=duplicates|hot|cost runs one part (for tuning runs).
  const only = process.env.DEDUP_QUALITY_ONLY;
  const want = (part: string): boolean => !only || only === part;
  console.log(
    `dedup quality: options ${JSON.stringify({ ...DEFAULT_DEDUP_OPTIONS, ...options, identitySecret: undefined })}`,
  );
  console.log(
    matters
      ? `  matter lexicon: ${matters.groups.length} groups from config/matters.yaml (entity-key joins need a common matter)`
      : '  matter lexicon: OFF (DEDUP_QUALITY_MATTERS=off: entity-key joins need no common matter)',
  );
  const duplicates = want('duplicates') ? await duplicateQuality(docs, options) : null;
  const hotIssues = want('hot') ? await hotIssueQuality(docs, options, 'default windows') : null;
  const hotIssuesNoWindow = want('hot')
    ? await hotIssueQuality(
        docs,
        { ...options, clusterWindowDays: 3650 },
        'cluster window 10 years (no time limit)',
      )
    : null;
  const falseGrouping = want('hot') ? await falseGroupingQuality(docs, options) : null;
  const cost = want('cost') ? await costQuality(docs, options) : null;
  return { duplicates, hotIssues, hotIssuesNoWindow, falseGrouping, cost };
}

if (require.main === module) {
  const tuning: Partial<DedupOptions> = process.env.DEDUP_QUALITY_OPTIONS
    ? (JSON.parse(process.env.DEDUP_QUALITY_OPTIONS) as Partial<DedupOptions>)
    : {};
  dedupQuality(tuning).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
