/* eslint-disable no-console -- a benchmark prints its results (the repo-wide exemption covers only the top-level bench/ folder) */
// µs per call of the text functions on real messages, read at run time from the shared data
// (never copied into the repository). The machine may be shared: each function is measured in
// several short rounds interleaved with a baseline (String.prototype.normalize('NFKC') over the
// same texts), and the best round is printed with its ratio to the baseline. Run:
//   npx ts-node -T -r tsconfig-paths/register libs/text/bench/text.bench.ts
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Converter } from 'opencc-js';
import { detectScript, matchText, normalizeBody, toSimplified } from '@app/text';
import { matchTextReference } from '../src/match-text.reference';
import { normalizeBodyReference } from '../src/body.reference';

const dataDir =
  process.env.SHARED_DATA_DIR ?? resolve(__dirname, '..', '..', '..', '..', 'shared', 'data');
const messages = readFileSync(join(dataDir, 'messages_unlabeled.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim().length > 0)
  .map((line) => JSON.parse(line) as { title?: string; text?: string })
  .map((m) => `${m.title ?? ''}\n${m.text ?? ''}`);
const avgChars = Math.round(messages.reduce((n, m) => n + m.length, 0) / messages.length);
const matched = messages.map((m) => matchText(m));
const toTraditional = Converter({ from: 'cn', to: 'hk' });
const traditional = messages.slice(0, 300).map((m) => toTraditional(m));

let sink = 0;
function microsPerCall(
  texts: readonly string[],
  fn: (text: string) => unknown,
  ms: number,
): number {
  const start = process.hrtime.bigint();
  let calls = 0;
  let elapsed = 0;
  while (elapsed < ms * 1e6) {
    for (const t of texts) if (fn(t) !== undefined) sink++;
    calls += texts.length;
    elapsed = Number(process.hrtime.bigint() - start);
  }
  return elapsed / 1e3 / calls;
}

const baseline = (t: string): string => t.normalize('NFKC');
function bench(name: string, texts: readonly string[], fn: (text: string) => unknown): void {
  microsPerCall(texts, fn, 200); // warm-up
  let best = Infinity;
  let bestBase = Infinity;
  for (let round = 0; round < 5; round++) {
    bestBase = Math.min(bestBase, microsPerCall(texts, baseline, 150));
    best = Math.min(best, microsPerCall(texts, fn, 300));
  }
  const us = best.toFixed(2).padStart(7);
  const ratio = (best / bestBase).toFixed(1).padStart(5);
  console.log(`${name.padEnd(34)} ${us} µs/call  ${ratio} × NFKC (${bestBase.toFixed(2)} µs)`);
}

console.log(`${messages.length} real messages, ${avgChars} chars on average, one thread`);
bench('normalizeBody', messages, normalizeBody);
bench('normalizeBody (reference)', messages, normalizeBodyReference);
bench('matchText', messages, matchText);
bench('matchText (reference)', messages, matchTextReference);
bench('matchText of matchText', matched, matchText);
bench('detectScript', messages, detectScript);
bench('toSimplified', messages, toSimplified);
bench('toSimplified (Traditional)', traditional, toSimplified);
if (sink < 0) console.log(sink);
