/**
 * A second check set for the category model, so that settings chosen on dev can be checked on
 * messages that did not choose them: raw messages from the unlabelled files (title and text as
 * citizens wrote them) whose word-segmented copy is in train_segmented.jsonl, labelled by that
 * copy. The model is trained without those copies. Dev messages are left out of the set.
 */
import { readJsonl } from '../../test/support/shared-data';
import { matchText } from '@app/text';
import {
  bestReferences,
  categoryInput,
  CategoryClassifier,
  NEAR_COPY_SHARE,
  nearCopies,
  trainCategoryModel,
  type CategoryPrediction,
  type LabelledText,
  type TrainOptions,
} from '@app/classify';
import { score } from './scores';

const UNLABELLED = [
  'messages_with_likes.jsonl',
  'messages_with_replies.jsonl',
  'messages_unlabeled.jsonl',
];

/** The distinct matchText (title and text) of the unlabelled files' messages. */
export function unlabelledTexts(): string[] {
  const texts = new Set<string>();
  for (const file of UNLABELLED)
    for (const r of readJsonl<{ title?: string; text?: string }>(file))
      texts.add(matchText(`${r.title ?? ''}\n${r.text ?? ''}`));
  return [...texts];
}

interface CheckRow {
  text: string;
  input: string;
  label: string;
}

/** The check rows, and which training rows are their copies (to train without). */
function checkSet(
  train: LabelledText[],
  devTexts: ReadonlySet<string>,
): { rows: CheckRow[]; copies: boolean[] } {
  const raw = new Map<string, string>();
  for (const file of UNLABELLED)
    for (const r of readJsonl<{ title?: string; text?: string }>(file)) {
      const text = matchText(`${r.title ?? ''}\n${r.text ?? ''}`);
      if (!devTexts.has(text)) raw.set(text, matchText(r.title ?? ''));
    }
  const texts = [...raw.keys()];
  // Each training row votes for the raw message it copies; the closest copy gives the label.
  // A row is a copy exactly when its best raw message is close enough, and that message is then
  // in the check set: the same test nearCopies would make against the check rows.
  const label = new Map<number, { share: number; label: string }>();
  const best = bestReferences(
    train.map((r) => r.text),
    texts,
  );
  const copies = best.map(({ index, share }) => index >= 0 && share >= NEAR_COPY_SHARE);
  best.forEach(({ index, share }, i) => {
    if (!copies[i]) return;
    const current = label.get(index);
    if (!current || current.share < share)
      label.set(index, { share, label: train[i]?.label ?? '' });
  });
  const rows = [...label].map(([index, { label: l }]) => {
    const text = texts[index] ?? '';
    return { text, input: categoryInput(text, raw.get(text) ?? ''), label: l };
  });
  return { rows, copies };
}

export interface CopyLabelledCheck {
  rows: number;
  trainRows: number;
  /** With the taxonomy prior and the weighted subject, as shipped. */
  macroF1: number;
  accuracy: number;
  /** Neither the taxonomy prior nor the weighted subject (NaN when not asked for). */
  bareMacroF1: number;
  /** The shipped settings' prediction of each check row, and its label. */
  predictions: CategoryPrediction[];
  gold: string[];
}

/**
 * `domain`: the unlabelled texts for the feature weights (dev's near copies already out); the
 * check rows and their near copies are left out of it too: no check message shapes the weights.
 */
export function copyLabelledCheck(
  train: LabelledText[],
  devTexts: ReadonlySet<string>,
  prior: LabelledText[],
  domain: string[],
  overrides: Partial<TrainOptions> = {},
  withBare = true,
): CopyLabelledCheck {
  const { rows, copies } = checkSet(train, devTexts);
  const clean = train.filter((_, i) => !copies[i]);
  const gold = rows.map((r) => r.label);
  const nearCheck = nearCopies(
    domain,
    rows.map((r) => r.text),
  );
  const shipped = CategoryClassifier.fromJSON(
    trainCategoryModel(
      clean,
      overrides,
      prior,
      domain.filter((_, i) => !nearCheck[i]),
    ).model,
  );
  const predictions = rows.map((r) => shipped.classify(r.input));
  const s = score(
    gold,
    predictions.map((p) => p.category),
    shipped.classes,
  );
  let bareMacroF1 = NaN;
  if (withBare) {
    const bare = CategoryClassifier.fromJSON(trainCategoryModel(clean, overrides).model);
    bareMacroF1 = score(
      gold,
      rows.map((r) => bare.classify(r.text).category),
      bare.classes,
    ).macroF1;
  }
  return {
    rows: rows.length,
    trainRows: clean.length,
    macroF1: s.macroF1,
    accuracy: s.accuracy,
    bareMacroF1,
    predictions,
    gold,
  };
}
