/* eslint-disable no-console -- a command-line tool prints its results */
// npm run train -- --in <labelled.jsonl> --out <model.json>
//   [--text-field text_segmented|text] [--title-field title] [--label-field label]
//   [--exclude <jsonl with title/text>]   drop training rows that are near copies of these
//   [--bits 16] [--min-n 1] [--max-n 2] [--epochs 8] [--l2 1e-4] [--seed 7]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_TRAIN_OPTIONS, trainCategoryModel } from './category.trainer';
import { readLabelled } from './labelled.reader';
import { nearCopies } from './overlap.filter';
import { readFileSync } from 'node:fs';
import { matchText } from '@app/text';

function readTexts(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .map((r) =>
      matchText(
        [r.title, r.text, r.text_segmented].filter((x) => typeof x === 'string').join('\n'),
      ),
    );
}

function main(): void {
  const { values } = parseArgs({
    options: {
      in: { type: 'string' },
      out: { type: 'string' },
      'text-field': { type: 'string' },
      'title-field': { type: 'string' },
      'label-field': { type: 'string' },
      exclude: { type: 'string' },
      bits: { type: 'string' },
      'min-n': { type: 'string' },
      'max-n': { type: 'string' },
      epochs: { type: 'string' },
      l2: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  if (!values.in || !values.out) {
    console.error(
      'usage: train --in <labelled.jsonl> --out <model.json> [--text-field f] [--title-field f] [--exclude dev.jsonl]',
    );
    process.exit(2);
  }
  const num = (v: string | undefined, fallback: number): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`not a number: ${v}`);
    return n;
  };
  let rows = readLabelled(values.in, {
    textField: values['text-field'],
    titleField: values['title-field'],
    labelField: values['label-field'],
  });
  const read = rows.length;
  if (values.exclude) {
    const copies = nearCopies(
      rows.map((r) => r.text),
      readTexts(values.exclude),
    );
    rows = rows.filter((_, i) => !copies[i]);
    console.log(`excluded ${read - rows.length} rows that are near copies of ${values.exclude}`);
  }
  const d = DEFAULT_TRAIN_OPTIONS;
  const { model, seconds } = trainCategoryModel(rows, {
    ngram: {
      minN: num(values['min-n'], d.ngram.minN),
      maxN: num(values['max-n'], d.ngram.maxN),
      bits: num(values.bits, d.ngram.bits),
    },
    epochs: num(values.epochs, d.epochs),
    l2: num(values.l2, d.l2),
    seed: num(values.seed, d.seed),
  });
  const json = JSON.stringify(model);
  writeFileSync(values.out, json + '\n');
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  console.log(`trained on ${rows.length} rows (of ${read}) in ${seconds.toFixed(2)} s`);
  console.log(`classes: ${[...counts].map(([c, n]) => `${c} ${n}`).join(', ')}`);
  console.log(
    `temperature ${model.temperature}; wrote ${values.out} (${(json.length / 1024).toFixed(0)} KiB)`,
  );
}

main();
