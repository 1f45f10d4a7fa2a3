export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Accuracy, per-class precision/recall/F1 and macro-F1 (the mean of the classes' F1). */
export function score(gold: string[], predicted: string[], classes: readonly string[]) {
  const perClass: Record<string, ClassScores> = {};
  let correct = 0;
  gold.forEach((g, i) => {
    if (g === predicted[i]) correct++;
  });
  let f1Sum = 0;
  for (const c of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    gold.forEach((g, i) => {
      const p = predicted[i];
      if (p === c && g === c) tp++;
      else if (p === c) fp++;
      else if (g === c) fn++;
    });
    const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
    const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[c] = { precision, recall, f1, support: tp + fn };
    f1Sum += f1;
  }
  return { accuracy: correct / gold.length, macroF1: f1Sum / classes.length, perClass };
}

export interface ReviewCapture {
  /** Share of the items flagged for review. */
  flagged: number;
  /** Share of the wrong predictions that were flagged. */
  errorsCaught: number;
  errors: number;
}

/** How well a review flag concentrates the errors: what it flags, and how many errors it holds. */
export function reviewCapture(
  items: readonly { flagged: boolean; correct: boolean }[],
): ReviewCapture {
  const errors = items.filter((i) => !i.correct).length;
  const caught = items.filter((i) => i.flagged && !i.correct).length;
  return {
    flagged: items.length > 0 ? items.filter((i) => i.flagged).length / items.length : 0,
    errorsCaught: errors > 0 ? caught / errors : 0,
    errors,
  };
}
