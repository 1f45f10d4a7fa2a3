import { ConfigReader, readYamlFile } from './config.reader';

/** The first-level categories of the classifier (taxonomy.jsonl level1). */
export const CATEGORIES = [
  '城乡建设',
  '劳动和社会保障',
  '教育文体',
  '商贸旅游',
  '环境保护',
  '卫生计生',
  '交通运输',
  '政法',
  '民政',
  '国土资源',
  '农村农业',
  '经济管理',
  '科技与信息产业',
  '纪检监察',
  '其他',
] as const;
export type Category = (typeof CATEGORIES)[number];

export interface CategoryRoute {
  /** Unit name with `{district}` replaced by the official district name, e.g. {district}生态环境局. */
  readonly template?: string;
  /** Unit when the district is unknown or the category has no template, e.g. the municipal department. */
  readonly default?: string;
  /** District name → unit, for districts organised differently from the template. */
  readonly overrides: ReadonlyMap<string, string>;
}

export interface RoutingTable {
  readonly categories: ReadonlyMap<string, CategoryRoute>;
}

const PLACEHOLDER = /\{([^}]*)\}/g;

/** Validates a parsed routing table document. `file` names the source in errors. */
export function parseRoutingTable(raw: unknown, file = '<routing>'): RoutingTable {
  const reader = new ConfigReader(file);
  const root = reader.record(raw, '');
  reader.onlyKeys(root, '', ['categories']);
  const categories = new Map<string, CategoryRoute>();
  for (const [category, value] of Object.entries(reader.record(root.categories, 'categories'))) {
    const field = `categories.${category}`;
    if (!(CATEGORIES as readonly string[]).includes(category)) {
      reader.fail(field, `unknown category (expected one of ${CATEGORIES.join(', ')})`);
    }
    const entry = reader.record(value, field);
    reader.onlyKeys(entry, field, ['template', 'default', 'overrides']);
    const template = reader.optionalText(entry.template, `${field}.template`);
    if (template !== undefined) {
      for (const match of template.matchAll(PLACEHOLDER)) {
        if (match[1] !== 'district')
          reader.fail(`${field}.template`, `unknown placeholder {${match[1]}} (only {district})`);
      }
    }
    const fallback = reader.optionalText(entry.default, `${field}.default`);
    const overrides = new Map<string, string>();
    if (entry.overrides !== undefined && entry.overrides !== null) {
      for (const [district, unit] of Object.entries(
        reader.record(entry.overrides, `${field}.overrides`),
      )) {
        overrides.set(district, reader.text(unit, `${field}.overrides.${district}`));
      }
    }
    if (template === undefined && fallback === undefined && overrides.size === 0) {
      reader.fail(field, 'needs a template, a default or overrides');
    }
    categories.set(category, { template, default: fallback, overrides });
  }
  return { categories };
}

/** Reads and validates a routing table YAML file. */
export function loadRoutingTable(path: string): RoutingTable {
  return parseRoutingTable(readYamlFile(path), path);
}
