/* eslint-disable no-console -- a benchmark prints its results (the repo-wide exemption covers only the top-level bench/ folder) */
// Throughput of the text functions on real messages, read at run time from the shared data
// (never copied into the repository). Run:
//   npx ts-node -T -r tsconfig-paths/register libs/text/bench/text.bench.ts
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Converter } from 'opencc-js';
import { detectScript, matchText, normalizeBody, toSimplified } from '@app/text';

const dataDir =
  process.env.SHARED_DATA_DIR ?? resolve(__dirname, '..', '..', '..', '..', 'shared', 'data');
const messages = readFileSync(join(dataDir, 'messages_unlabeled.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim().length > 0)
  .map((line) => JSON.parse(line) as { title?: string; text?: string })
  .map((m) => `${m.title ?? ''}\n${m.text ?? ''}`);
const avgChars = Math.round(messages.reduce((n, m) => n + m.length, 0) / messages.length);

function bench(name: string, fn: (text: string) => unknown, minMs = 1500): void {
  for (const m of messages) fn(m); // warm-up
  let done = 0;
  const start = process.hrtime.bigint();
  let elapsedMs = 0;
  while (elapsedMs < minMs) {
    for (const m of messages) fn(m);
    done += messages.length;
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  }
  const perSecond = Math.round(done / (elapsedMs / 1000));
  console.log(`${name.padEnd(28)} ${perSecond.toLocaleString('en-US').padStart(10)} msgs/s`);
}

console.log(`${messages.length} real messages, ${avgChars} chars on average, one core`);
bench('normalizeBody', normalizeBody);
bench('toSimplified', toSimplified);
const toTraditional = Converter({ from: 'cn', to: 'hk' });
const traditional = messages.slice(0, 300).map((m) => toTraditional(m));
bench('toSimplified (Traditional)', (m) => toSimplified(traditional[m.length % 300] ?? m));
bench('detectScript', detectScript);
bench('matchText', matchText);
const opencc = Converter({ from: 'hk', to: 'cn' });
bench('opencc-js hk→cn (reference)', opencc, 800);
