import { matchText } from '@app/text';
import { CategoryClassifier, denseWeights } from './category.model';
import { trainCategoryModel, type LabelledText } from './category.trainer';
import { FeatureVectorBuilder } from './feature.vector';
import { WordVocabulary } from './word.vocabulary';

// Synthetic rows written for this test: each label has its own words, mixed with shared filler.
function rows(labels: string[], count: number, seed: number): LabelledText[] {
  let s = seed;
  const next = (n: number): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % n;
  };
  const filler = ['请尽快处理', '希望领导重视', '我们小区居民', '已经反映多次'];
  return Array.from({ length: count }, (_, i) => {
    const label = labels[i % labels.length] ?? '';
    const text = `${filler[next(filler.length)] ?? ''}${label}${label}问题${filler[next(filler.length)] ?? ''}`;
    return { text: matchText(text), label };
  });
}

/** The trainer's own document vector dotted with the stored weights: the reference logits. */
function referenceLogits(clf: CategoryClassifier, text: string): number[] {
  const json = clf.toJSON();
  const k = json.classes.length;
  const weights = denseWeights(json);
  const vocabulary = json.words ? new WordVocabulary(json.words.vocabulary.split(' ')) : null;
  const { indices, values, length } = new FeatureVectorBuilder(
    json.ngram,
    json.weighting,
    vocabulary,
  ).build(text);
  return json.classes.map((_, c) => {
    let sum = (json.bias[c] ?? 0) / json.temperature;
    for (let i = 0; i < length; i++)
      sum += (values[i] ?? 0) * (weights[(indices[i] ?? 0) * k + c] ?? 0);
    return sum;
  });
}

describe('category model inference', () => {
  const seven = ['噪音', '工资', '学校', '医院', '公交', '污水', '商场'];
  const nine = [...seven, '物业', '社保'];
  const probes = ['', '噪', '工地夜间施工噪音还拖欠工资', '学校旁边的医院污水直排'.repeat(20)];

  it.each([
    ['tf-len, 7 classes (8-lane path)', seven, 'tf-len', 3],
    ['tf-len, 7 classes, 1–2-grams (unrolled 8-lane path)', seven, 'tf-len', 2],
    ['tf-len, 9 classes (generic path)', nine, 'tf-len', 3],
    ['log weighting (sparse path)', seven, 'log', 3],
    ['binary weighting (sparse path)', seven, 'binary', 3],
  ] as const)('%s gives the logits of the training features', (_, labels, weighting, maxN) => {
    const { model } = trainCategoryModel(rows([...labels], 90, 3), {
      ngram: { minN: 1, maxN, bits: 12 },
      weighting,
      runs: 2,
    });
    const clf = CategoryClassifier.fromJSON(model);
    for (const text of [...probes, ...rows([...labels], 9, 8).map((r) => r.text)]) {
      const fast = clf.logitsOf(text);
      referenceLogits(clf, text).forEach((ref, c) => expect(fast[c]).toBeCloseTo(ref, 4));
    }
    for (const row of rows([...labels], 18, 5))
      expect(clf.classify(row.text).category).toBe(row.label);
  });

  it.each([
    ['1–2-grams and words (unrolled 8-lane path)', seven, 'tf-len', 2],
    ['1–3-grams and words (8-lane path)', seven, 'tf-len', 3],
    ['words, 9 classes (generic path)', nine, 'tf-len', 2],
    ['words, log weighting (sparse path)', seven, 'log', 2],
  ] as const)('%s give the logits of the training features', (_, labels, weighting, maxN) => {
    // Segmented rows: the label word and the filler phrase are the words.
    const segmented = rows([...labels], 90, 4).map((r) => ({
      ...r,
      words: [r.label, r.label, '问题'],
    }));
    const { model } = trainCategoryModel(segmented, {
      ngram: { minN: 1, maxN, bits: 12 },
      weighting,
      runs: 2,
      wordMinCount: 2,
    });
    expect(model.words?.vocabulary.split(' ').sort()).toEqual(
      [...labels.filter((l) => l.length >= 2), '问题'].sort(),
    );
    const clf = CategoryClassifier.fromJSON(model);
    for (const text of [...probes, ...rows([...labels], 9, 8).map((r) => r.text)]) {
      const fast = clf.logitsOf(text);
      referenceLogits(clf, text).forEach((ref, c) => expect(fast[c]).toBeCloseTo(ref, 4));
    }
    for (const row of rows([...labels], 18, 5))
      expect(clf.classify(row.text).category).toBe(row.label);
  });

  it('trains deterministically, and averaging runs changes the weights', () => {
    const data = rows(seven, 70, 1);
    const once = trainCategoryModel(data, { runs: 3 }).model;
    const again = trainCategoryModel(data, { runs: 3 }).model;
    const single = trainCategoryModel(data, { runs: 1 }).model;
    expect(again.weights).toBe(once.weights);
    expect(again.bias).toEqual(once.bias);
    expect(single.weights).not.toBe(once.weights);
  });

  it('classifies without depending on earlier calls (reused buffers are reset)', () => {
    const { model } = trainCategoryModel(rows(seven, 70, 2));
    const clf = CategoryClassifier.fromJSON(model);
    const first = clf.classify(matchText('医院医院问题'));
    clf.classify(matchText('学校学校问题'.repeat(50)));
    expect(clf.classify(matchText('医院医院问题'))).toEqual(first);
  });
});

describe('tf-len document vector', () => {
  it('is the raw count over √(n-gram occurrences), without L2 normalisation', () => {
    const v = new FeatureVectorBuilder({ minN: 1, maxN: 1, bits: 12 }, 'tf-len').build('噪噪音');
    const values = Array.from(v.values.subarray(0, v.length)).sort();
    expect(values[0]).toBeCloseTo(1 / Math.sqrt(3), 6);
    expect(values[1]).toBeCloseTo(2 / Math.sqrt(3), 6);
  });
});
