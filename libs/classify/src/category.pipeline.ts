import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CategoryClassifier, type CategoryPrediction } from './category.model';
import { loadCategoryRules, matchCategoryRule, type CategoryRule } from './classify-rules.loader';

export interface CategoryResult extends CategoryPrediction {
  source: 'rule' | 'model';
  /** The keyword that decided, when `source` is 'rule'. */
  keyword?: string;
}

/** Keyword rules first (they override the model), then the model. */
export class CategoryPipeline {
  constructor(
    readonly model: CategoryClassifier,
    readonly rules: readonly CategoryRule[] = [],
  ) {}

  static fromFiles(modelPath: string, rulesPath?: string): CategoryPipeline {
    const model = CategoryClassifier.fromFile(modelPath);
    const rules = rulesPath ? loadCategoryRules(rulesPath, model.classes) : [];
    return new CategoryPipeline(model, rules);
  }

  /** `text` must be matchText. */
  classify(text: string): CategoryResult {
    const rule = matchCategoryRule(this.rules, text);
    if (rule) {
      const scores: Record<string, number> = {};
      for (const c of this.model.classes) scores[c] = c === rule.category ? 1 : 0;
      return {
        category: rule.category,
        confidence: 1,
        scores,
        source: 'rule',
        keyword: rule.keyword,
      };
    }
    return { ...this.model.classify(text), source: 'model' };
  }
}

/** The shipped model and rules, found from this file in the source tree (or ./ when bundled). */
export function defaultModelPath(): string {
  return firstExisting([
    resolve(__dirname, '..', 'model', 'category-model.json'),
    resolve('libs', 'classify', 'model', 'category-model.json'),
  ]);
}

export function defaultRulesPath(): string {
  return firstExisting([
    resolve(__dirname, '..', '..', '..', 'config', 'classify-rules.yaml'),
    resolve('config', 'classify-rules.yaml'),
  ]);
}

function firstExisting(paths: string[]): string {
  return paths.find((p) => existsSync(p)) ?? paths[0] ?? '';
}

let shared: CategoryPipeline | undefined;

/**
 * Category of a matchText with the shipped model and config/classify-rules.yaml, loaded once.
 * Apps that configure their own paths build a CategoryPipeline instead.
 */
export function classifyCategory(text: string): CategoryResult {
  shared ??= CategoryPipeline.fromFiles(defaultModelPath(), defaultRulesPath());
  return shared.classify(text);
}
