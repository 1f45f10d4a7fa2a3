import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** A keyword rule: any one of `any` in the matchText makes the category, overriding the model. */
export interface CategoryRule {
  category: string;
  /** Keywords in matchText form (Simplified, lower-case, no punctuation or spaces). */
  any: string[];
}

export class RulesConfigError extends Error {
  readonly retriable = false;
  constructor(
    readonly file: string,
    readonly field: string,
    problem: string,
  ) {
    super(`${file}: ${field} ${problem}`);
    this.name = 'RulesConfigError';
  }
}

/**
 * Validates a parsed rules document: a list of `{ category, any: [keyword, …] }`. When
 * `categories` is given, every rule must name one of them. Errors name the bad field, e.g.
 * `rules[2].any[0]`.
 */
export function parseCategoryRules(
  doc: unknown,
  file = 'classify-rules',
  categories?: readonly string[],
): CategoryRule[] {
  if (!Array.isArray(doc)) throw new RulesConfigError(file, '(root)', 'must be a list of rules');
  return doc.map((raw: unknown, i) => {
    const at = `rules[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new RulesConfigError(file, at, 'must be a mapping with category and any');
    const rule = raw as Record<string, unknown>;
    for (const key of Object.keys(rule)) {
      if (key !== 'category' && key !== 'any')
        throw new RulesConfigError(file, `${at}.${key}`, 'is not a known field (category, any)');
    }
    const { category, any } = rule;
    if (typeof category !== 'string' || category.trim() === '')
      throw new RulesConfigError(file, `${at}.category`, 'must be a non-empty string');
    if (categories && !categories.includes(category))
      throw new RulesConfigError(
        file,
        `${at}.category`,
        `'${category}' is not one of: ${categories.join(', ')}`,
      );
    if (!Array.isArray(any) || any.length === 0)
      throw new RulesConfigError(file, `${at}.any`, 'must be a non-empty list of keywords');
    const keywords = any.map((k: unknown, j) => {
      if (typeof k !== 'string' || k.trim() === '')
        throw new RulesConfigError(file, `${at}.any[${j}]`, 'must be a non-empty string');
      if (/[\s\p{P}\p{S}]/u.test(k))
        throw new RulesConfigError(
          file,
          `${at}.any[${j}]`,
          `'${k}' must be in matchText form (no spaces or punctuation)`,
        );
      return k.toLowerCase();
    });
    return { category, any: keywords };
  });
}

export function loadCategoryRules(path: string, categories?: readonly string[]): CategoryRule[] {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new RulesConfigError(path, '(file)', `cannot be read as YAML: ${(err as Error).message}`);
  }
  return parseCategoryRules(doc, path, categories);
}

/** First rule (in file order) with a keyword in the text, or undefined. */
export function matchCategoryRule(
  rules: readonly CategoryRule[],
  text: string,
): { category: string; keyword: string } | undefined {
  for (const rule of rules) {
    for (const keyword of rule.any)
      if (text.includes(keyword)) return { category: rule.category, keyword };
  }
  return undefined;
}
