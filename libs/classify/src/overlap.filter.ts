/**
 * Flags rows that are near copies of any `reference` text: the share of a row's character
 * n-grams found in its single best-matching reference text. The public training file contains
 * most of the dev messages (word-segmented, stopwords removed), so a model measured on dev must
 * be trained without them; containment survives the segmentation where equality does not.
 */
export function nearCopies(
  rows: readonly string[],
  reference: readonly string[],
  options: { n?: number; threshold?: number } = {},
): boolean[] {
  const n = options.n ?? 4;
  const threshold = options.threshold ?? 0.25;
  const postings = new Map<string, number[]>();
  reference.forEach((text, r) => {
    const seen = new Set<string>();
    for (let i = 0; i + n <= text.length; i++) seen.add(text.slice(i, i + n));
    for (const g of seen) {
      const list = postings.get(g);
      if (list) list.push(r);
      else postings.set(g, [r]);
    }
  });
  return rows.map((text) => {
    const grams = new Set<string>();
    for (let i = 0; i + n <= text.length; i++) grams.add(text.slice(i, i + n));
    if (grams.size === 0) return false;
    const hits = new Map<number, number>();
    let best = 0;
    for (const g of grams) {
      for (const r of postings.get(g) ?? []) {
        const h = (hits.get(r) ?? 0) + 1;
        hits.set(r, h);
        if (h > best) best = h;
      }
    }
    return best / grams.size >= threshold;
  });
}
