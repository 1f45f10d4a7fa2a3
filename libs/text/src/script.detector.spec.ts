import { detectScript } from './script.detector';

describe('detectScript', () => {
  it.each([
    ['住家附近工地噪音扰民，我给市委书记留言反映', 'simplified'],
    ['住家附近工地噪音擾民，我給市委書記留言反映', 'traditional'],
    ['噪音擾民，请尽快处理，謝謝領導', 'mixed'],
    ['我们的人', 'simplified'],
    ['人口', 'none'],
    ['hello 123', 'none'],
    ['', 'none'],
    // One stray Simplified char in long Traditional text is noise, not mixing.
    ['重慶市民在留言板反映社保卡辦理問題，相關部門當天就來電話回覆並處理后續', 'traditional'],
    // 后 (皇后), 于 (surname), 里 (公里) are valid in both scripts: no evidence of Simplified.
    ['皇后於公里外的長城', 'traditional'],
    ['皇后于公里外', 'none'],
  ])('%s → %s', (input, expected) => {
    expect(detectScript(input)).toBe(expected);
  });
});
