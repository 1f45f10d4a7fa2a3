// Category classification quality on the public dev set, measured in this run:
//   npx ts-node -T -r tsconfig-paths/register scripts/quality/classification.ts
// Trains a model from train_segmented.jsonl (dropping its near copies of dev messages: the
// training file contains most of them), evaluates it and the shipped model on dev_labeled.jsonl,
// and measures classification throughput on one core. Every number printed is measured here.
// A second check set (copy-labelled.ts) tests the settings chosen on dev on other messages.
// The shipped model is trained on all public labelled data, dev included, so its dev score is
// printed as a contaminated reference only. `--ablations` adds models trained without one
// ingredient each (feature weights, words, taxonomy names) and one with dev's copies. `--cv` adds
// 5-fold cross-validation on the training file with near-duplicate rows kept in one fold, for
// each seed (20 trainings: minutes on a quiet machine).
import { readJsonl } from '../../test/support/shared-data';
import { reviewCapture, score, type ClassScores } from './scores';
import { copyLabelledCheck, unlabelledTexts } from './copy-labelled';
import { matchText } from '@app/text';
import {
  CategoryClassifier,
  CategoryPipeline,
  categoryInput,
  DEFAULT_TRAIN_OPTIONS,
  REVIEW_BELOW,
  probabilityMargin,
  segmentedWords,
  SUBJECT_WEIGHT,
  defaultModelPath,
  defaultRulesPath,
  loadCategoryRules,
  nearCopies,
  nearDuplicateGroups,
  taxonomyDocuments,
  trainCategoryModel,
  type CategoryPrediction,
  type TaxonomyEntry,
} from '@app/classify';

/** Every figure is given for these four training seeds (shuffle orders, calibration split). */
const SEEDS = [7, 17, 27, 37] as const;

export interface ClassificationQuality {
  accuracy: number;
  macroF1: number;
  perClass: Record<string, ClassScores>;
  trainRows: number;
  devRows: number;
  trainSeconds: number;
  model: CategoryClassifier;
}

function loadData() {
  const train = readJsonl<{ text_segmented: string; label: string }>('train_segmented.jsonl').map(
    (r) => ({
      text: matchText(r.text_segmented),
      label: r.label,
      words: segmentedWords(r.text_segmented),
    }),
  );
  // `text` is the judge's matchText of subject and body; `input` is what its model reads.
  const dev = readJsonl<{ title: string; text: string; label: string }>('dev_labeled.jsonl').map(
    (r) => {
      const text = matchText(`${r.title}\n${r.text}`);
      const input = categoryInput(text, matchText(r.title));
      return { text, input, body: matchText(r.text), label: r.label };
    },
  );
  const copies = nearCopies(
    train.map((r) => r.text),
    dev.map((r) => r.text),
  );
  const classes = [...new Set(train.map((r) => r.label))];
  const prior = taxonomyDocuments(readJsonl<TaxonomyEntry>('taxonomy.jsonl'), classes);
  // The unlabelled messages the feature weights are learnt from, dev's near copies left out too.
  const unlabelled = unlabelledTexts();
  const domainCopies = nearCopies(
    unlabelled,
    dev.map((r) => r.text),
  );
  const domain = unlabelled.filter((_, i) => !domainCopies[i]);
  return { train, clean: train.filter((_, i) => !copies[i]), dev, prior, domain };
}

type Data = ReturnType<typeof loadData>;

/**
 * Quality of a model trained in this run on train_segmented minus dev's near copies, with the
 * taxonomy's names as prior documents (as the shipped model is trained) or without them.
 */
export async function classificationQuality(
  withPrior = true,
  data: Data = loadData(),
): Promise<ClassificationQuality> {
  await Promise.resolve();
  const { clean, dev, prior, domain } = data;
  const { model, seconds } = withPrior
    ? trainCategoryModel(clean, {}, prior, domain)
    : trainCategoryModel(clean);
  const clf = CategoryClassifier.fromJSON(model);
  const s = devScore(clf, dev, true);
  return { ...s, trainRows: clean.length, devRows: dev.length, trainSeconds: seconds, model: clf };
}

/**
 * Dev macro-F1 of the same settings trained with other seeds (shuffle orders and the calibration
 * split): how much of a dev figure is the seed rather than the settings.
 */
export function seedSpread(
  data: Data,
  seeds: readonly number[],
): { macroF1: number; bodyMacroF1: number; predictions: CategoryPrediction[] }[] {
  return seeds.map((seed) => {
    const { model } = trainCategoryModel(data.clean, { seed }, data.prior, data.domain);
    const clf = CategoryClassifier.fromJSON(model);
    return {
      macroF1: devScore(clf, data.dev, true).macroF1,
      bodyMacroF1: bodyScore(clf, data.dev).macroF1,
      predictions: data.dev.map((d) => clf.classify(d.input)),
    };
  });
}

/**
 * needsReview as the pipeline sets it (probability margin below REVIEW_BELOW), pooled over seeds:
 * the share of items flagged and the share of the errors among them; then other margins, and the
 * top probability alone, for comparison.
 */
function reviewLine(
  runs: { predictions: CategoryPrediction[]; gold: readonly string[] }[],
): string {
  const items = runs.flatMap(({ predictions, gold }) =>
    predictions.map((p, i) => ({ p, correct: p.category === gold[i] })),
  );
  const at = (flag: (p: CategoryPrediction) => boolean): string => {
    const r = reviewCapture(items.map(({ p, correct }) => ({ flagged: flag(p), correct })));
    return `${pct(r.flagged).trim()} % flagged, ${pct(r.errorsCaught).trim()} % of errors`;
  };
  const errors = items.filter((i) => !i.correct).length;
  const others = [0.2, 0.25, 0.35, 0.4].map(
    (t) => `margin < ${t}: ${at((p) => probabilityMargin(p) < t)}`,
  );
  const tops = [0.6, 0.7].map((t) => `top < ${t}: ${at((p) => p.confidence < t)}`);
  return (
    `needsReview (margin < ${REVIEW_BELOW}): ${at((p) => probabilityMargin(p) < REVIEW_BELOW)} ` +
    `(${errors} errors, ${runs.length} seeds pooled)\n    others: ${[...others, ...tops].join('; ')}`
  );
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const perSeed = (xs: readonly number[]): string =>
  `${xs.map((x) => pct(x).trim()).join(' / ')} %, mean ${pct(mean(xs)).trim()} %`;

/** The model's score on dev's bodies alone, as an SMS arrives (no subject). */
function bodyScore(clf: CategoryClassifier, dev: Data['dev']) {
  return score(
    dev.map((d) => d.label),
    dev.map((d) => clf.classify(d.body).category),
    clf.classes,
  );
}

/** Rules and model on dev as the judge runs them, and how many the rules decided. */
function pipelineScore(pipeline: CategoryPipeline, dev: Data['dev']) {
  const results = dev.map((d) => pipeline.classify(d.text, d.input));
  const s = score(
    dev.map((d) => d.label),
    results.map((r) => r.category),
    pipeline.model.classes,
  );
  return { ...s, ruled: results.filter((r) => r.source === 'rule').length };
}

/** The model's score on dev, reading the subject weighted (as the judge does) or once. */
function devScore(clf: CategoryClassifier, dev: Data['dev'], subjectWeighted: boolean) {
  return score(
    dev.map((d) => d.label),
    dev.map((d) => clf.classify(subjectWeighted ? d.input : d.text).category),
    clf.classes,
  );
}

/** Grouped 5-fold CV on the training rows: reposts of one message never straddle folds. */
function groupedCrossValidation(
  rows: { text: string; label: string }[],
  prior: { text: string; label: string }[],
  domain: string[],
  seed: number,
  k = 5,
) {
  const groups = nearDuplicateGroups(rows.map((r) => r.text));
  const fold = groups.map((g) => g % k);
  const predicted: string[] = rows.map(() => '');
  for (let f = 0; f < k; f++) {
    const clf = CategoryClassifier.fromJSON(
      trainCategoryModel(
        rows.filter((_, i) => fold[i] !== f),
        { seed },
        prior,
        domain,
      ).model,
    );
    rows.forEach((r, i) => {
      if (fold[i] === f) predicted[i] = clf.classify(r.text).category;
    });
  }
  const classes = [...new Set(rows.map((r) => r.label))].sort();
  return {
    ...score(
      rows.map((r) => r.label),
      predicted,
      classes,
    ),
    groups: new Set(groups).size,
  };
}

function perSecond(fn: (text: string) => unknown, texts: string[], minMs = 1500): number {
  for (const t of texts) fn(t);
  let done = 0;
  const start = process.hrtime.bigint();
  let ms = 0;
  while (ms < minMs) {
    for (const t of texts) fn(t);
    done += texts.length;
    ms = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return done / (ms / 1000);
}

const pct = (x: number): string => (x * 100).toFixed(1).padStart(6);

async function main(): Promise<void> {
  // The ablations retrain without one ingredient each: ~5 trainings more (minutes on 2 cores).
  const ablations = process.argv.includes('--ablations');
  const data = loadData();
  const { train, clean, dev, prior, domain } = data;
  const q = await classificationQuality(true, data);
  console.log(
    `model trained in this run: ${q.trainRows} rows (train_segmented ${train.length} minus ` +
      `${train.length - clean.length} near copies of dev) and ${prior.length} taxonomy names ` +
      `(×${DEFAULT_TRAIN_OPTIONS.priorRepeat}), feature weights from ${domain.length} unlabelled ` +
      `messages (dev's near copies left out), in ${q.trainSeconds.toFixed(2)} s; dev ${q.devRows} rows`,
  );
  console.log(`accuracy ${pct(q.accuracy)} %   macro-F1 ${pct(q.macroF1)} %`);
  const seeds = SEEDS.filter((x) => x !== DEFAULT_TRAIN_OPTIONS.seed);
  const spread = seedSpread(data, seeds);
  const gold = dev.map((d) => d.label);
  const devRuns = [
    { predictions: dev.map((d) => q.model.classify(d.input)), gold },
    ...spread.map((r) => ({ predictions: r.predictions, gold })),
  ];
  console.log(
    `dev macro-F1, seeds ${[DEFAULT_TRAIN_OPTIONS.seed, ...seeds].join('/')}: ` +
      perSeed([q.macroF1, ...spread.map((r) => r.macroF1)]),
  );
  console.log(`dev: ${reviewLine(devRuns)}`);
  console.log(`${'class'.padEnd(8, '　')}   P %    R %   F1 %  support`);
  for (const [c, s] of Object.entries(q.perClass)) {
    console.log(
      `${c.padEnd(8, '　')}${pct(s.precision)} ${pct(s.recall)} ${pct(s.f1)} ${String(s.support).padStart(6)}`,
    );
  }
  const ruledScore = pipelineScore(
    new CategoryPipeline(q.model, loadCategoryRules(defaultRulesPath(), q.model.classes)),
    dev,
  );
  console.log(
    `(the same model with config/classify-rules.yaml, as the judge runs it: accuracy ${pct(ruledScore.accuracy)} %   macro-F1 ${pct(ruledScore.macroF1)} %)`,
  );
  if (ablations) {
    const unweighted = CategoryClassifier.fromJSON(trainCategoryModel(clean, {}, prior).model);
    const unweightedScore = devScore(unweighted, dev, true);
    console.log(
      `(without the unlabelled messages' feature weights: accuracy ${pct(unweightedScore.accuracy)} %   macro-F1 ${pct(unweightedScore.macroF1)} %)`,
    );
    const charsOnly = CategoryClassifier.fromJSON(
      trainCategoryModel(clean, { wordMinCount: 0 }, prior, domain).model,
    );
    const charsOnlyScore = devScore(charsOnly, dev, true);
    console.log(
      `(without word features: accuracy ${pct(charsOnlyScore.accuracy)} %   macro-F1 ${pct(charsOnlyScore.macroF1)} %)`,
    );
  }
  const bodyOnly = bodyScore(q.model, dev);
  console.log(
    `(body only, no subject, as an SMS arrives: accuracy ${pct(bodyOnly.accuracy)} %   macro-F1 ${pct(bodyOnly.macroF1)} %; ` +
      `seeds ${SEEDS.join('/')}: ${perSeed([bodyOnly.macroF1, ...spread.map((r) => r.bodyMacroF1)])})`,
  );
  const once = devScore(q.model, dev, false);
  console.log(
    `(subject counted once, not ×${SUBJECT_WEIGHT}: accuracy ${pct(once.accuracy)} %   macro-F1 ${pct(once.macroF1)} %)`,
  );
  if (ablations) {
    const bareModel = (await classificationQuality(false, data)).model;
    const bare = devScore(bareModel, dev, false);
    console.log(
      `(subject once, no taxonomy names, no feature weights: accuracy ${pct(bare.accuracy)} %   macro-F1 ${pct(bare.macroF1)} %)`,
    );
  }

  const shipped = CategoryClassifier.fromFile(defaultModelPath());
  const shippedScore = devScore(shipped, dev, true);
  console.log(
    `(shipped model, trained with dev: ${defaultModelPath()}): accuracy ${pct(shippedScore.accuracy)} %   macro-F1 ${pct(shippedScore.macroF1)} %`,
  );
  const pipeline = new CategoryPipeline(
    shipped,
    loadCategoryRules(defaultRulesPath(), shipped.classes),
  );
  const ruleScore = pipelineScore(pipeline, dev);
  console.log(
    `(shipped model + rules: accuracy ${pct(ruleScore.accuracy)} %   macro-F1 ${pct(ruleScore.macroF1)} %   ${ruleScore.ruled} decided by rules)`,
  );

  if (ablations) {
    // For reference only: trained on the whole file, dev's own texts included (not a fair score).
    const leaky = CategoryClassifier.fromJSON(trainCategoryModel(train, {}, prior, domain).model);
    const leakyScore = devScore(leaky, dev, true);
    console.log(
      `(contaminated reference, trained with dev's copies: accuracy ${pct(leakyScore.accuracy)} %   macro-F1 ${pct(leakyScore.macroF1)} %)`,
    );
  }

  const devTexts = new Set(dev.map((d) => d.text));
  const checks = SEEDS.map((seed, i) =>
    copyLabelledCheck(train, devTexts, prior, domain, { seed }, ablations && i === 0),
  );
  const check = checks[0];
  if (check) {
    console.log(
      `second check, ${check.rows} raw messages from the unlabelled files labelled by their copy in ` +
        `train_segmented (model trained on the other ${check.trainRows} rows), seed ${SEEDS[0]}: accuracy ${pct(check.accuracy)} %   ` +
        `macro-F1 ${pct(check.macroF1)} %` +
        (ablations
          ? `   (no taxonomy names, subject once: macro-F1 ${pct(check.bareMacroF1)} %)`
          : ''),
    );
    console.log(
      `second check macro-F1, seeds ${SEEDS.join('/')}: ${perSeed(checks.map((c) => c.macroF1))}`,
    );
    console.log(`second check: ${reviewLine(checks)}`);
  }

  const raw = readJsonl<{ title?: string; text?: string }>('messages_unlabeled.jsonl').map(
    (r) => `${r.title ?? ''}\n${r.text ?? ''}`,
  );
  const texts = raw.map((r) => matchText(r));
  const avg = Math.round(raw.reduce((n, t) => n + t.length, 0) / raw.length);
  console.log(`throughput, one core, ${raw.length} real messages of ${avg} chars on average:`);
  const line = (name: string, fn: (t: string) => unknown, input: string[]): void => {
    const rate = perSecond(fn, input);
    console.log(
      `  ${name.padEnd(32)} ${Math.round(rate).toLocaleString('en-US').padStart(9)} /s  ${(1e6 / rate).toFixed(2).padStart(6)} µs/call`,
    );
  };
  line('classify(matchText)', (t) => shipped.classify(t), texts);
  line('pipeline.classify (rules+model)', (t) => pipeline.classify(t), texts);
  line('matchText + pipeline.classify', (t) => pipeline.classify(matchText(t)), raw);

  if (process.argv.includes('--cv')) {
    const cvs = SEEDS.map((seed) => groupedCrossValidation(clean, prior, domain, seed));
    console.log(
      `grouped 5-fold CV on the ${clean.length} training rows (${cvs[0]?.groups ?? 0} near-duplicate groups), ` +
        `seeds ${SEEDS.join('/')}: accuracy ${perSeed(cvs.map((c) => c.accuracy))}; macro-F1 ${perSeed(cvs.map((c) => c.macroF1))}`,
    );
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
