import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchText } from '@app/text';
import { CategoryClassifier } from './category.model';
import { trainCategoryModel, type LabelledText } from './category.trainer';
import { readTaxonomy, taxonomyDocuments, type TaxonomyEntry } from './taxonomy.prior';

const entries: TaxonomyEntry[] = [
  { level1: '教育文体', level2: '体育', level3: '运动员权益' },
  { level1: '教育文体', level2: '体育', level3: '其他' },
  { level1: '城乡建设', level2: '住房保障与房地产', level3: '住房公积金' },
  { level1: '劳动和社会保障', level2: '工资福利', level3: '住房公积金' },
  { level1: '政法', level2: '户籍证件', level3: '身份证管理' },
];

describe('taxonomyDocuments', () => {
  const docs = taxonomyDocuments(entries, ['教育文体', '城乡建设', '劳动和社会保障']);
  const texts = docs.map((d) => d.text);

  it('gives each distinct level-2 and level-3 name of a trained class, in matchText form', () => {
    expect(docs).toEqual(
      expect.arrayContaining([
        { text: matchText('体育'), label: '教育文体' },
        { text: matchText('运动员权益'), label: '教育文体' },
        { text: matchText('工资福利'), label: '劳动和社会保障' },
      ]),
    );
    expect(texts.filter((t) => t === matchText('体育'))).toHaveLength(1);
  });

  it('drops catch-all names, names shared by two trained classes and untrained classes', () => {
    expect(texts).not.toContain('其他');
    expect(texts).not.toContain(matchText('住房公积金'));
    expect(texts).not.toContain(matchText('身份证管理'));
    expect(texts).not.toContain(matchText('户籍证件'));
  });
});

describe('readTaxonomy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taxonomy-'));

  it('reads JSON Lines and skips blank lines', () => {
    const path = join(dir, 'ok.jsonl');
    writeFileSync(path, `${entries.map((e) => JSON.stringify(e)).join('\n')}\n\n`);
    expect(readTaxonomy(path)).toEqual(entries);
  });

  it('names the line and field of a malformed entry', () => {
    const path = join(dir, 'bad.jsonl');
    writeFileSync(path, `${JSON.stringify(entries[0])}\n{"level1":"教育文体","level2":"体育"}\n`);
    expect(() => readTaxonomy(path)).toThrow(`${path}:2: field level3 is not a string`);
  });
});

describe('training with prior documents', () => {
  // Two classes of synthetic messages that never mention sport; the prior names it for one.
  const rows: LabelledText[] = [];
  const a = ['老板拖欠工资', '公司克扣薪水', '农民工讨要劳务费', '单位不交社保'];
  const b = ['学校乱收补课费', '老师体罚学生', '幼儿园收费太高', '孩子入学难'];
  for (let i = 0; i < 60; i++) {
    rows.push({ text: matchText(`${a[i % 4] ?? ''}请处理`), label: '劳动和社会保障' });
    rows.push({ text: matchText(`${b[i % 4] ?? ''}请处理`), label: '教育文体' });
  }
  const prior = taxonomyDocuments(entries, ['教育文体', '劳动和社会保障']);
  const options = { ngram: { minN: 1, maxN: 2, bits: 12 }, runs: 1 };
  const sport = matchText('咨询运动员权益');
  const scoreOf = (clf: CategoryClassifier): number => clf.classify(sport).scores['教育文体'] ?? 0;

  it('moves a text named only by the taxonomy toward its class', () => {
    const without = CategoryClassifier.fromJSON(trainCategoryModel(rows, options).model);
    const withPrior = trainCategoryModel(rows, options, prior);
    const clf = CategoryClassifier.fromJSON(withPrior.model);
    expect(clf.classify(sport).category).toBe('教育文体');
    expect(scoreOf(clf) - scoreOf(without)).toBeGreaterThan(0.2);
    expect(withPrior.model.training?.priorRows).toBe(prior.length * 3);
  });

  it('ignores prior documents of classes absent from the labelled rows', () => {
    const stray = [{ text: matchText('身份证管理'), label: '政法' }];
    const { model } = trainCategoryModel(rows, options, stray);
    expect(model.classes).toEqual(['劳动和社会保障', '教育文体']);
  });
});
