import { KeywordAutomaton } from './keyword.automaton';

const automaton = new KeywordAutomaton(
  [
    { pattern: '江北', payload: 'short' },
    { pattern: '江北区', payload: 'full' },
    { pattern: '江北机场', payload: 'airport' },
    { pattern: '北区', payload: 'tail' },
    { pattern: '危房', payload: 'hazard' },
    { pattern: '危房改造', payload: 'programme' },
  ],
  new Map([['區'.charCodeAt(0), '区'.charCodeAt(0)]]),
);

const show = (text: string, all = false) =>
  (all ? automaton.scanAll(text) : automaton.scan(text)).map((hit) => [
    hit.payload,
    text.slice(hit.start, hit.end),
  ]);

describe('KeywordAutomaton', () => {
  it.each([
    ['在江北区上班', [['full', '江北区']]],
    ['从江北机场出发', [['airport', '江北机场']]],
    [
      '江北嘴和江北区',
      [
        ['short', '江北'],
        ['full', '江北区'],
      ],
    ],
    [
      '申请危房改造，隔壁是危房',
      [
        ['programme', '危房改造'],
        ['hazard', '危房'],
      ],
    ],
    ['江北區', [['full', '江北區']]],
    ['江北\n区的路', [['full', '江北\n区']]],
    ['江 北　区', [['full', '江 北　区']]],
    ['与此无关的句子', []],
    ['', []],
  ])('scan %j → leftmost-longest hits', (text, expected) => {
    expect(show(text)).toEqual(expected);
  });

  it('scanAll keeps overlapping hits in order of their end', () => {
    expect(show('江北区', true)).toEqual([
      ['short', '江北'],
      ['full', '江北区'],
      ['tail', '北区'],
    ]);
  });

  it('finds a hit that follows a failed partial match', () => {
    // "江北" then "机" then not "场": the automaton must fall back and still see 北区 later.
    expect(show('江北机北区', true)).toEqual([
      ['short', '江北'],
      ['tail', '北区'],
    ]);
  });
});
