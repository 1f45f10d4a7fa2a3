/**
 * `npm run quality`: the measured (not assumed) figures of the normalizer's judgement on
 * ../shared/data — classification accuracy and macro-F1 on the dev set, duplicate recall and false
 * matches, the gold hot issues, lookup cost, urgency precision and recall against labelled messages —
 * and the judgement step's throughput per core.
 * Each part runs as its own process so one part's memory does not distort the next one's timings.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { normalizerNodeFlags } from '../../bench/lib/node-flags';

// The throughput part runs with the normalizer's own V8 flags, as the deployed process does.
const parts: [string, string, string[]][] = [
  ['classification (dev_labeled.jsonl, model trained without it)', 'classification.ts', []],
  ['duplicates, same-issue groups, lookup cost', 'dedup.ts', []],
  ['urgency (520 labelled public messages, rubric in test/fixtures/judgement)', 'urgency.ts', []],
  ['judgement step throughput, one core', 'judgement.ts', normalizerNodeFlags()],
];

let failed = 0;
for (const [title, file, flags] of parts) {
  console.log(`\n=== ${title} ===`);
  const run = spawnSync(
    process.execPath,
    [
      ...flags,
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      join(__dirname, file),
    ],
    { stdio: 'inherit', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' } },
  );
  if (run.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
