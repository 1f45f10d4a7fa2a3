/** Distinct character n-grams of a text. */
function gramsOf(text: string, n: number): Set<string> {
  const seen = new Set<string>();
  for (let i = 0; i + n <= text.length; i++) seen.add(text.slice(i, i + n));
  return seen;
}

/** Each text's distinct n-grams, and for each n-gram the texts (by index) that contain it. */
function gramPostings(
  texts: readonly string[],
  n: number,
): { grams: Set<string>[]; postings: Map<string, number[]> } {
  const postings = new Map<string, number[]>();
  const grams = texts.map((text, r) => {
    const seen = gramsOf(text, n);
    for (const g of seen) {
      const list = postings.get(g);
      if (list) list.push(r);
      else postings.set(g, [r]);
    }
    return seen;
  });
  return { grams, postings };
}

/**
 * Share of a row's 4-grams found in one other text above which it is taken for a copy of it.
 * A segmented, stopword-stripped copy of a raw message keeps 0.3–0.9 of its 4-grams; distinct
 * messages rarely share more than 0.1 (histogram over train_segmented against dev).
 */
export const NEAR_COPY_SHARE = 0.25;

/**
 * For each row, the reference text holding the largest share of the row's distinct character
 * n-grams, and that share (index -1 and share 0 when none shares any).
 */
export function bestReferences(
  rows: readonly string[],
  reference: readonly string[],
  n = 4,
): { index: number; share: number }[] {
  const { postings } = gramPostings(reference, n);
  return rows.map((text) => {
    const grams = gramsOf(text, n);
    const hits = new Map<number, number>();
    let best = 0;
    let index = -1;
    for (const g of grams) {
      for (const r of postings.get(g) ?? []) {
        const h = (hits.get(r) ?? 0) + 1;
        hits.set(r, h);
        if (h > best) {
          best = h;
          index = r;
        }
      }
    }
    return { index, share: grams.size > 0 ? best / grams.size : 0 };
  });
}

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
  const threshold = options.threshold ?? NEAR_COPY_SHARE;
  return bestReferences(rows, reference, options.n ?? 4).map((b) => b.share >= threshold);
}

/**
 * Group id per row (0, 1, 2, … in order of first appearance) such that rows that are near
 * copies of each other (same containment measure as nearCopies, either direction) share one:
 * cross-validation folds built from groups keep a message and its reposts on the same side.
 * n-grams shared by more than `maxPosting` rows are skipped (stock phrases, not copies).
 */
export function nearDuplicateGroups(
  texts: readonly string[],
  options: { n?: number; threshold?: number; maxPosting?: number } = {},
): number[] {
  const n = options.n ?? 4;
  const threshold = options.threshold ?? NEAR_COPY_SHARE;
  const maxPosting = options.maxPosting ?? 300;
  const parent = texts.map((_, i) => i);
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r] ?? r;
    while (parent[x] !== r) {
      const next = parent[x] ?? r;
      parent[x] = r;
      x = next;
    }
    return r;
  };
  const { grams, postings } = gramPostings(texts, n);
  grams.forEach((seen, r) => {
    if (seen.size === 0) return;
    const hits = new Map<number, number>();
    for (const g of seen) {
      const list = postings.get(g) ?? [];
      if (list.length > maxPosting) continue;
      for (const o of list) if (o !== r) hits.set(o, (hits.get(o) ?? 0) + 1);
    }
    for (const [o, h] of hits) if (h / seen.size >= threshold) parent[find(o)] = find(r);
  });
  const ids = new Map<number, number>();
  return texts.map((_, i) => {
    const root = find(i);
    let id = ids.get(root);
    if (id === undefined) {
      id = ids.size;
      ids.set(root, id);
    }
    return id;
  });
}
