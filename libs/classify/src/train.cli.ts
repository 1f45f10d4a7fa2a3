/* eslint-disable no-console -- a command-line tool prints its results */
// npm run train -- --in <labelled.jsonl> [--in <more.jsonl> …] --out <model.json>
//   [--text-field text_segmented|text] [--title-field title] [--label-field label]
//   [--exclude <jsonl with title/text>]   drop training rows that are near copies of these
//   [--bits 16] [--min-n 1] [--max-n 2] [--weighting tf-len|log|binary] [--epochs 8]
//   [--l2 1e-4] [--seed 7] [--runs 5]
//   [--taxonomy <taxonomy.jsonl>] [--prior-repeat 3]   the taxonomy's level-2/3 names as prior documents
//   [--domain <unlabelled.jsonl> …] [--domain-ratio-power 0.5]   unlabelled messages as read at run
//     time (title + text): feature weights from them (domain.weights.ts); --exclude applies too
//   [--word-min-count 2]   word features: the segmented rows' words seen this often (0 = none)
// The shipped model: all public labelled data, segmented and raw (the raw dev messages are the
// run-time text form, the title field is read where a file has one), with the public taxonomy and
// the public unlabelled messages as the domain:
//   npm run train -- --in ../shared/data/train_segmented.jsonl --in ../shared/data/dev_labeled.jsonl \
//     --title-field title --taxonomy ../shared/data/taxonomy.jsonl \
//     --domain ../shared/data/messages_unlabeled.jsonl --domain ../shared/data/messages_with_likes.jsonl \
//     --domain ../shared/data/messages_with_replies.jsonl \
//     --out libs/classify/model/category-model.json
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_TRAIN_OPTIONS, trainCategoryModel } from './category.trainer';
import { TERM_WEIGHTINGS, type TermWeighting } from './feature.vector';
import { readLabelled } from './labelled.reader';
import { nearCopies } from './overlap.filter';
import { readTaxonomy, taxonomyDocuments } from './taxonomy.prior';
import { readJsonLines } from './json-lines';
import { matchText } from '@app/text';

function readTexts(path: string): string[] {
  return readJsonLines(path).map(({ row: r }) =>
    matchText([r.title, r.text, r.text_segmented].filter((x) => typeof x === 'string').join('\n')),
  );
}

function main(): void {
  const { values } = parseArgs({
    options: {
      in: { type: 'string', multiple: true },
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
      runs: { type: 'string' },
      weighting: { type: 'string' },
      taxonomy: { type: 'string' },
      'prior-repeat': { type: 'string' },
      domain: { type: 'string', multiple: true },
      'domain-ratio-power': { type: 'string' },
      'word-min-count': { type: 'string' },
    },
  });
  if (!values.in || values.in.length === 0 || !values.out) {
    console.error(
      'usage: train --in <labelled.jsonl> [--in more.jsonl] --out <model.json> [--text-field f] [--title-field f] [--exclude dev.jsonl]',
    );
    process.exit(2);
  }
  const num = (v: string | undefined, fallback: number): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`not a number: ${v}`);
    return n;
  };
  let rows = values.in.flatMap((file) =>
    readLabelled(file, {
      textField: values['text-field'],
      titleField: values['title-field'],
      labelField: values['label-field'],
    }),
  );
  const d = DEFAULT_TRAIN_OPTIONS;
  const weighting = values.weighting ?? d.weighting;
  if (!TERM_WEIGHTINGS.includes(weighting as TermWeighting))
    throw new Error(`--weighting must be one of ${TERM_WEIGHTINGS.join(', ')}`);
  const read = rows.length;
  // The run-time form, distinct texts: the files overlap (one message in several tables).
  let domain = [...new Set((values.domain ?? []).flatMap(readTexts))];
  if (values.exclude) {
    const excluded = readTexts(values.exclude);
    const copies = nearCopies(
      rows.map((r) => r.text),
      excluded,
    );
    rows = rows.filter((_, i) => !copies[i]);
    console.log(`excluded ${read - rows.length} rows that are near copies of ${values.exclude}`);
    const domainCopies = nearCopies(domain, excluded);
    const before = domain.length;
    domain = domain.filter((_, i) => !domainCopies[i]);
    if (before > 0) console.log(`excluded ${before - domain.length} domain texts likewise`);
  }
  const classes = [...new Set(rows.map((r) => r.label))];
  const prior = values.taxonomy ? taxonomyDocuments(readTaxonomy(values.taxonomy), classes) : [];
  const { model, seconds } = trainCategoryModel(
    rows,
    {
      ngram: {
        minN: num(values['min-n'], d.ngram.minN),
        maxN: num(values['max-n'], d.ngram.maxN),
        bits: num(values.bits, d.ngram.bits),
      },
      epochs: num(values.epochs, d.epochs),
      l2: num(values.l2, d.l2),
      seed: num(values.seed, d.seed),
      runs: num(values.runs, d.runs),
      weighting: weighting as TermWeighting,
      priorRepeat: num(values['prior-repeat'], d.priorRepeat),
      domainRatioPower: num(values['domain-ratio-power'], d.domainRatioPower),
      wordMinCount: num(values['word-min-count'], d.wordMinCount),
    },
    prior,
    domain,
  );
  // Provenance only: which files, so a reader of the model knows whether dev was in it.
  model.training = {
    ...model.training,
    inputs: values.in.map((f) => basename(f)),
    ...(values.exclude ? { excludedNearCopiesOf: basename(values.exclude) } : {}),
    ...(values.taxonomy ? { taxonomy: basename(values.taxonomy), priorNames: prior.length } : {}),
    ...(values.domain ? { domain: values.domain.map((f) => basename(f)) } : {}),
  };
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
