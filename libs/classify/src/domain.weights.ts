import { forEachFeatureBucket, type FeatureText } from './feature.vector';
import type { NgramSpec } from './ngram.hasher';
import type { WordVocabulary } from './word.vocabulary';

/**
 * Per-bucket feature weights learnt from unlabelled messages in the form the model reads at run
 * time (the "domain": raw titles and bodies). Two factors:
 *
 * - IDF over the domain, ln((1 + N) / (1 + df)) + 1: n-grams in most messages (请, 您好, 反映)
 *   say little about the category.
 * - The share of the n-gram in training text against its share in domain text, capped at 1, to
 *   the power `ratioPower`: the public training file is word-segmented with stop words removed,
 *   so n-grams made of stop words are common at run time and rare in training, and the model has
 *   learnt nothing reliable about them. An agency training on its own raw history has no such gap
 *   and its ratios are near 1.
 *
 * The product is rescaled so that an average training occurrence keeps weight 1 (the learning rate
 * and L2 penalty were tuned for unweighted features; unscaled IDF lost 2 points of macro-F1).
 * Features are multiplied by these weights in training, and the trained weights by them at export,
 * so the model file and inference are exactly as without them.
 *
 * Measured (dev macro-F1, model trained without dev, mean of seeds 7/17/27/37; scratch runs at
 * stop 22): none 88.57; IDF alone 89.34; IDF × ratio^0.5 89.76 (seeds 47–77: 90.05 against 88.84
 * for none); IDF × ratio^1 89.33. The power 0.5 was chosen among {0, 0.5, 1} on dev.
 */
export function domainFeatureWeights(
  trainTexts: readonly (string | FeatureText)[],
  domainTexts: readonly (string | FeatureText)[],
  spec: NgramSpec,
  ratioPower: number,
  vocabulary: WordVocabulary | null = null,
): Float32Array {
  const buckets = 1 << spec.bits;
  const weights = new Float32Array(buckets).fill(1);
  if (domainTexts.length === 0 || trainTexts.length === 0) return weights;
  const train = occurrences(trainTexts, spec, vocabulary, buckets);
  const domain = occurrences(domainTexts, spec, vocabulary, buckets);
  const n = domainTexts.length;
  const trainTotal = train.total + buckets;
  const domainTotal = domain.total + buckets;
  let weightedTrain = 0;
  for (let b = 0; b < buckets; b++) {
    const idf = Math.log((1 + n) / (1 + (domain.docs[b] ?? 0))) + 1;
    const trainShare = ((train.counts[b] ?? 0) + 1) / trainTotal;
    const domainShare = ((domain.counts[b] ?? 0) + 1) / domainTotal;
    const w = idf * Math.pow(Math.min(1, trainShare / domainShare), ratioPower);
    weights[b] = w;
    weightedTrain += w * (train.counts[b] ?? 0);
  }
  const scale = weightedTrain > 0 ? train.total / weightedTrain : 1;
  for (let b = 0; b < buckets; b++) weights[b] = (weights[b] ?? 1) * scale;
  return weights;
}

/** Occurrences per bucket, documents per bucket and all occurrences. */
function occurrences(
  texts: readonly (string | FeatureText)[],
  spec: NgramSpec,
  vocabulary: WordVocabulary | null,
  buckets: number,
): { counts: Float64Array; docs: Float64Array; total: number } {
  const counts = new Float64Array(buckets);
  const docs = new Float64Array(buckets);
  const lastDoc = new Int32Array(buckets).fill(-1);
  let total = 0;
  texts.forEach((text, d) => {
    const item = typeof text === 'string' ? { text } : text;
    forEachFeatureBucket(item, spec, vocabulary, (b) => {
      counts[b] = (counts[b] ?? 0) + 1;
      total++;
      if (lastDoc[b] !== d) {
        lastDoc[b] = d;
        docs[b] = (docs[b] ?? 0) + 1;
      }
    });
  });
  return { counts, docs, total };
}
