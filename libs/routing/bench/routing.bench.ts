// Throughput of the routing step on real board messages, read at run time from ../shared/data
// (never copied into the repo). Run:
//   npx ts-node -T -r tsconfig-paths/register libs/routing/bench/routing.bench.ts
import { join } from 'node:path';
import { readJsonl } from '@app/testing';
import {
  assessUrgency,
  computeDeadlines,
  extractLocality,
  loadRoutingConfig,
  routePetition,
  routeUnit,
  CHANNELS,
} from '@app/routing';
import { matchText } from '@app/text';

interface Message {
  title?: string;
  text?: string;
}

const configDir = join(__dirname, '..', '..', '..', 'config');
const loadStart = process.hrtime.bigint();
const config = loadRoutingConfig(configDir);
const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;

const texts = readJsonl<Message>('messages_unlabeled.jsonl').map(
  (m) => `${m.title ?? ''}\n${m.text ?? ''}`,
);
const meanChars = Math.round(texts.reduce((sum, t) => sum + t.length, 0) / texts.length);
const receivedAt = new Date('2024-05-31T20:00:00Z');
let sink = 0;

function measure(name: string, call: (text: string, i: number) => unknown): void {
  for (let i = 0; i < texts.length; i++) call(texts[i] ?? '', i); // warm-up
  const rounds = 5;
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < texts.length; i++) if (call(texts[i] ?? '', i) !== undefined) sink++;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const calls = rounds * texts.length;
  // Beside a plain NFKC pass over the same texts, so that the numbers can be compared on a busy
  // (shared) machine.
  const baseStart = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++)
    for (const t of texts) if (t.normalize('NFKC').length < 0) sink++;
  const baseMicros = Number(process.hrtime.bigint() - baseStart) / 1e3 / calls;
  const micros = (seconds * 1e6) / calls;
  process.stdout.write(
    `${name.padEnd(16)} ${Math.round(calls / seconds).toLocaleString('en')} calls/s, ${micros.toFixed(2)} µs/call (NFKC pass ${baseMicros.toFixed(2)} µs)\n`,
  );
}

process.stdout.write(
  `config load ${loadMs.toFixed(0)} ms; ${texts.length} messages, mean ${meanChars} chars\n`,
);
measure('extractLocality', (text) => extractLocality(text, null, config.gazetteer));
measure('assessUrgency', (text) => assessUrgency(text, config.urgency));
measure('routeUnit', (_, i) =>
  routeUnit(i % 2 ? '环境保护' : '交通运输', i % 3 ? '涪陵区' : null, config.routing),
);
measure('computeDeadlines', (_, i) =>
  computeDeadlines(CHANNELS[i % 4] ?? 'sms', receivedAt, config.deadlines),
);
measure('routePetition', (text, i) =>
  routePetition(
    {
      text,
      channel: CHANNELS[i % 4] ?? 'sms',
      channelCounty: '忠县',
      category: '城乡建设',
      receivedAt,
    },
    config,
  ),
);
// The normalizer routes the matchText form (no spaces or punctuation, Simplified).
const matched = texts.map((t) => matchText(t));
measure('routePetition on matchText', (_, i) =>
  routePetition(
    {
      text: matched[i] ?? '',
      channel: CHANNELS[i % 4] ?? 'sms',
      channelCounty: '忠县',
      category: '城乡建设',
      receivedAt,
    },
    config,
  ),
);

// What the shipped lexicon finds on this corpus, as a sanity check of its precision.
const flagged = new Map<string, number>();
let located = 0;
for (const text of texts) {
  for (const flag of assessUrgency(text, config.urgency).flags)
    flagged.set(flag, (flagged.get(flag) ?? 0) + 1);
  if (extractLocality(text, null, config.gazetteer).source === 'text') located++;
}
process.stdout.write(
  `flags: ${JSON.stringify(Object.fromEntries(flagged))}; located in text: ${located} (${sink > 0 ? 'ok' : ''})\n`,
);
