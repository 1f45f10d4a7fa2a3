/**
 * Urgency against the labelled public messages (test/fixtures/judgement/urgency-labels.jsonl and
 * the rubric beside it): precision and recall of "raised" (high or urgent) against normal, and per
 * flag, on the `tune` half the patterns were chosen on and on the unseen `report` half. The texts
 * are read from ../shared/data at run time and never printed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assessUrgency, loadUrgencyLexicon } from '@app/routing';
import { readJsonl } from '../../test/support/shared-data';

interface Label {
  file: string;
  id: string;
  batch: number;
  stratum: 'random' | 'trigger';
  split: 'tune' | 'report';
  raised: boolean;
  flags: string[];
}

interface Judged extends Label {
  predictedRaised: boolean;
  predictedFlags: readonly string[];
}

const root = join(__dirname, '..', '..');
const labels = readFileSync(
  join(root, 'test', 'fixtures', 'judgement', 'urgency-labels.jsonl'),
  'utf8',
)
  .split('\n')
  .filter((line) => line.trim().length > 0)
  .map((line) => JSON.parse(line) as Label);

const texts = new Map<string, string>();
for (const file of new Set(labels.map((l) => l.file))) {
  for (const m of readJsonl<{ id: string | number; title?: string; text?: string }>(file)) {
    const key = `${file}:${String(m.id)}`;
    // As the normalizer assesses it: subject, a line break, body.
    if (!texts.has(key)) texts.set(key, `${m.title ?? ''}\n${m.text ?? ''}`);
  }
}

const lexicon = loadUrgencyLexicon(join(root, 'config', 'urgency.yaml'));
const judged: Judged[] = labels.map((label) => {
  const text = texts.get(`${label.file}:${label.id}`);
  if (text === undefined) throw new Error(`labelled message ${label.file}:${label.id} not found`);
  const urgency = assessUrgency(text, lexicon);
  return {
    ...label,
    predictedRaised: urgency.priority !== 'normal',
    predictedFlags: urgency.flags,
  };
});

const pct = (x: number): string =>
  Number.isNaN(x) ? '  n/a' : `${(x * 100).toFixed(1)}%`.padStart(6);

function pr(items: readonly Judged[], gold: (j: Judged) => boolean, got: (j: Judged) => boolean) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const j of items) {
    if (gold(j) && got(j)) tp++;
    else if (got(j)) fp++;
    else if (gold(j)) fn++;
  }
  return { precision: tp / (tp + fp), recall: tp / (tp + fn), support: tp + fn, tp, fp, fn };
}

function line(label: string, r: ReturnType<typeof pr>): string {
  return `  ${label.padEnd(22)} precision ${pct(r.precision)}  recall ${pct(r.recall)}  (gold ${r.support}, tp ${r.tp}, fp ${r.fp}, fn ${r.fn})`;
}

const flagIds = lexicon.config.flags.map((f) => f.id);
for (const split of ['tune', 'report'] as const) {
  const items = judged.filter((j) => j.split === split);
  const seen = split === 'tune' ? 'patterns chosen on it' : 'unseen';
  console.log(`${split} half (${items.length} messages, ${seen}):`);
  console.log(
    line(
      'raised vs normal',
      pr(
        items,
        (j) => j.raised,
        (j) => j.predictedRaised,
      ),
    ),
  );
  for (const stratum of ['random', 'trigger'] as const) {
    const part = items.filter((j) => j.stratum === stratum);
    console.log(
      line(
        `  ${stratum} (${part.length})`,
        pr(
          part,
          (j) => j.raised,
          (j) => j.predictedRaised,
        ),
      ),
    );
  }
  for (const flag of flagIds) {
    const r = pr(
      items,
      (j) => j.flags.includes(flag),
      (j) => j.predictedFlags.includes(flag),
    );
    if (r.support + r.fp > 0) console.log(line(flag, r));
  }
}
const all = pr(
  judged,
  (j) => j.raised,
  (j) => j.predictedRaised,
);
console.log(`both halves (${judged.length} messages):`);
console.log(line('raised vs normal', all));
