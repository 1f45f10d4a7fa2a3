import { bestReferences, nearCopies, nearDuplicateGroups } from './overlap.filter';

describe('nearCopies', () => {
  it('flags a segmented, stopword-stripped copy and not an unrelated text', () => {
    const reference = ['小区门口的烧烤店油烟很大每天晚上噪音扰民严重请有关部门尽快处理'];
    const rows = [
      '小区门口烧烤店油烟每天晚上噪音扰民请部门处理',
      '学校食堂饭菜价格上涨家长希望教育局调查',
    ];
    expect(nearCopies(rows, reference)).toEqual([true, false]);
  });

  it('never flags rows too short to have an n-gram', () => {
    expect(nearCopies(['噪音'], ['噪音扰民'])).toEqual([false]);
  });
});

describe('bestReferences', () => {
  it('names the reference holding the largest share of each row, and the share', () => {
    const reference = [
      '学校食堂饭菜价格上涨家长希望教育局调查',
      '小区门口的烧烤店油烟很大每天晚上噪音扰民严重请有关部门尽快处理',
    ];
    const [copy, unrelated, tiny] = bestReferences(
      [
        '小区门口烧烤店油烟每天晚上噪音扰民请部门处理',
        '公交车司机态度恶劣乘客投诉无人理会',
        '噪音',
      ],
      reference,
    );
    expect(copy?.index).toBe(1);
    expect(copy?.share).toBeGreaterThan(0.25);
    expect(copy?.share).toBeLessThan(1);
    expect(unrelated).toEqual({ index: -1, share: 0 });
    expect(tiny).toEqual({ index: -1, share: 0 });
    expect(bestReferences(['学校食堂饭菜'], reference)[0]).toEqual({ index: 0, share: 1 });
  });
});

describe('nearDuplicateGroups', () => {
  it('puts a message and its reposts in one group, numbered in order of appearance', () => {
    const texts = [
      '学校食堂饭菜价格上涨家长希望教育局调查',
      '小区门口的烧烤店油烟很大每天晚上噪音扰民严重请有关部门尽快处理',
      '小区门口烧烤店油烟每天晚上噪音扰民请部门处理',
      '公交车司机态度恶劣乘客投诉无人理会',
      '噪音',
    ];
    expect(nearDuplicateGroups(texts)).toEqual([0, 1, 1, 2, 3]);
  });
});
