import type { RoutingTable } from './routing-table.config';

export interface UnitRoute {
  /** The responsible unit (责任单位), or null when the table has nothing for this item. */
  readonly unit: string | null;
  /** Which rule chose it: `override:<category>@<district>`, `template:<category>`, `default:<category>`. */
  readonly rule: string | null;
}

/**
 * Picks the unit responsible for a category in a district: a (category, district) override
 * first, then the category's template filled with the district, then the category's default
 * (used when the district is unknown or the category has no template).
 *
 * @param district official district name as returned by extractLocality, or null
 */
export function routeUnit(
  category: string,
  district: string | null,
  table: RoutingTable,
): UnitRoute {
  const route = table.categories.get(category);
  if (route === undefined) return { unit: null, rule: null };
  if (district !== null) {
    const override = route.overrides.get(district);
    if (override !== undefined) return { unit: override, rule: `override:${category}@${district}` };
    if (route.template !== undefined) {
      return {
        unit: route.template.replaceAll('{district}', district),
        rule: `template:${category}`,
      };
    }
  }
  if (route.default !== undefined) return { unit: route.default, rule: `default:${category}` };
  return { unit: null, rule: null };
}
