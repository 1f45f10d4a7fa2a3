import { matchText } from '@app/text';
import type { LabelledText } from './category.trainer';
import { readJsonLines } from './json-lines';

/** One row of the three-level category taxonomy (level1 is the class the model predicts). */
export interface TaxonomyEntry {
  level1: string;
  level2: string;
  level3: string;
}

/** Reads taxonomy JSON Lines (`{"level1","level2","level3"}` per line); errors name the line. */
export function readTaxonomy(path: string): TaxonomyEntry[] {
  return readJsonLines(path).map(({ row, line }) => {
    for (const field of ['level1', 'level2', 'level3'] as const)
      if (typeof row[field] !== 'string')
        throw new Error(`${path}:${line}: field ${field} is not a string`);
    return {
      level1: row.level1 as string,
      level2: row.level2 as string,
      level3: row.level3 as string,
    };
  });
}

/** Catch-all names say nothing about the class. */
const UNINFORMATIVE = new Set(['其他']);

/**
 * The taxonomy's level-2 and level-3 names as short labelled documents, one per distinct name,
 * for the classes being trained. A board routes a message by the department that handles it,
 * and the taxonomy names those departments' matters (运动员权益 → 教育文体, 广告监管 → 商贸旅游,
 * 保健品化妆品管理 → 卫生计生) even where the training messages are few; added to training they
 * pull those n-grams toward their class. Names listed under two of the trained classes (住房公积金
 * is both 城乡建设 and 劳动和社会保障) are dropped: they carry no evidence for either.
 */
export function taxonomyDocuments(
  entries: readonly TaxonomyEntry[],
  classes: readonly string[],
): LabelledText[] {
  const trained = new Set(classes);
  const classesOfName = new Map<string, Set<string>>();
  for (const e of entries) {
    if (!trained.has(e.level1)) continue;
    for (const name of [e.level2, e.level3]) {
      const text = matchText(name);
      if (text === '' || UNINFORMATIVE.has(text)) continue;
      const seen = classesOfName.get(text) ?? new Set<string>();
      seen.add(e.level1);
      classesOfName.set(text, seen);
    }
  }
  const docs: LabelledText[] = [];
  for (const [text, labels] of classesOfName)
    if (labels.size === 1) docs.push({ text, label: [...labels][0] ?? '' });
  return docs;
}
