/**
 * Keys that pollute prototypes when a parsed body is later merged into another object. The JSON
 * parser keeps them as plain own properties (so one poisoned item does not fail its batch); each
 * adapter refuses the item that carries one, and only that item.
 */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** The path of the first forbidden key in `value` (e.g. `meta.__proto__`), or null. Iterative. */
export function findForbiddenKey(value: unknown): string | null {
  const stack: { v: unknown; path: string }[] = [{ v: value, path: '' }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    for (const key of Object.keys(v)) {
      const here = path ? `${path}.${key}` : key;
      if (FORBIDDEN.has(key) && !Array.isArray(v)) return here;
      stack.push({ v: (v as Record<string, unknown>)[key], path: here });
    }
  }
  return null;
}
