import { matchText } from '@app/text';
import { CategoryClassifier } from './category.model';
import { trainCategoryModel, type LabelledText } from './category.trainer';
import { domainFeatureWeights } from './domain.weights';
import { forEachNgramBucket, type NgramSpec } from './ngram.hasher';

const spec: NgramSpec = { minN: 1, maxN: 1, bits: 12 };
const bucketOf = (ch: string): number => {
  let bucket = -1;
  forEachNgramBucket(ch, spec, (b) => (bucket = b));
  return bucket;
};

describe('domainFeatureWeights', () => {
  // 甲 and 乙 are as common in training as at run time; 您 is common at run time only (a word
  // the training text's stop-word removal took out); 丙 is in every domain message.
  const train = ['甲乙丙', '甲乙丙', '甲乙丙您', '甲乙丙'];
  const domain = ['甲您您丙', '乙您您丙', '丙您甲乙', '丁您丙'];

  it('is 1 everywhere without domain texts', () => {
    const w = domainFeatureWeights(train, [], spec, 0.5);
    expect(w.every((x) => x === 1)).toBe(true);
  });

  it('keeps the average weight of a training occurrence at 1', () => {
    const w = domainFeatureWeights(train, domain, spec, 0.5);
    let weighted = 0;
    let count = 0;
    for (const t of train)
      forEachNgramBucket(t, spec, (b) => {
        weighted += w[b] ?? 0;
        count++;
      });
    expect(weighted / count).toBeCloseTo(1, 5);
  });

  it('weighs down n-grams in every message, and those much commoner at run time than in training', () => {
    const w = domainFeatureWeights(train, domain, spec, 0.5);
    const [jia, bing, nin] = ['甲', '丙', '您'].map((c) => w[bucketOf(c)] ?? 0) as [
      number,
      number,
      number,
    ];
    // 丙: in all four domain messages, so its IDF is the floor (1); 甲 in two of them.
    expect(bing).toBeLessThan(jia);
    // 您: in all four like 丙, but rare in training: the share ratio lowers it further.
    expect(nin).toBeLessThan(bing);
    const idfOnly = domainFeatureWeights(train, domain, spec, 0);
    expect((idfOnly[bucketOf('您')] ?? 0) / (idfOnly[bucketOf('丙')] ?? 0)).toBeCloseTo(1, 5);
  });
});

describe('training with domain texts', () => {
  const rows: LabelledText[] = [];
  for (let i = 0; i < 20; i++) {
    rows.push({ text: matchText(`老板拖欠工资${i % 2 === 0 ? '您好' : ''}`), label: '工资' });
    rows.push({ text: matchText('学校乱收补课费'), label: '学校' });
  }
  const domain = ['您好学校收费太高', '您好老板拖欠工资', '您好孩子入学难'].map(matchText);
  const options = { ngram: { minN: 1, maxN: 2, bits: 12 }, runs: 1, calibrationShare: 0 };

  // What the weights do to real messages is measured by npm run quality (dev macro-F1 with and
  // without them); here: that they are used, folded into a model that still reads its classes.
  it('trains a different model that still separates the classes, and records the domain', () => {
    const plain = trainCategoryModel(rows, options).model;
    const trained = trainCategoryModel(rows, options, [], domain);
    expect(trained.model.training).toMatchObject({ domainDocs: 3, domainRatioPower: 0.5 });
    expect(plain.training).not.toHaveProperty('domainDocs');
    const weighted = CategoryClassifier.fromJSON(trained.model);
    const probe = matchText('您好学校');
    expect(weighted.classify(probe).scores['学校']).not.toBeCloseTo(
      CategoryClassifier.fromJSON(plain).classify(probe).scores['学校'] ?? 0,
      3,
    );
    expect(weighted.classify(matchText('老板拖欠工资')).category).toBe('工资');
    expect(weighted.classify(matchText('学校乱收补课费')).category).toBe('学校');
  });
});
