import { normalizeBody } from './body.normalizer';

describe('normalizeBody', () => {
  it.each([
    ['full-width letters and digits', 'ＡＢＣ小区１２３号', 'ABC小区123号'],
    ['Chinese punctuation kept', '你好，请问：何时处理？（急）', '你好，请问：何时处理？（急）'],
    ['ideographic space collapsed', '小区\u3000\u3000门口', '小区 门口'],
    ['spaces and tabs collapsed', '  噪音   扰民\t\t严重  ', '噪音 扰民 严重'],
    [
      'paragraphs kept as one newline',
      '第一段\r\n\r\n\r\n  第二段\n\n第三段',
      '第一段\n第二段\n第三段',
    ],
    ['control and zero-width removed', '投\u0000诉\u200b物\u0007业\ufeff', '投诉物业'],
    [
      'HTML tags and entities',
      '<p>反映&nbsp;问题&amp;诉求</p><p>第二段<br/>换行</p>',
      '反映 问题&诉求\n第二段\n换行',
    ],
    ['numeric entities', '&#65;&#x4E2D;文', 'A中文'],
    [
      'script and style dropped',
      '<style>p{color:red}</style><script>alert(1)</script><div>正文</div>',
      '正文',
    ],
    ['Traditional kept', '噪音擾民，請儘快處理', '噪音擾民，請儘快處理'],
    ['plain text untouched', '小区门口占道经营', '小区门口占道经营'],
    ['text with a lone < is not HTML', 'PM2.5 < 75 时', 'PM2.5 < 75 时'],
    ['empty', '   \n\t ', ''],
  ])('%s', (_name, input, expected) => {
    expect(normalizeBody(input)).toBe(expected);
  });

  it('is idempotent', () => {
    const samples = ['<b>ＡＢＣ</b>\n\n  第二段  ', '噪音擾民，\u3000請處理', 'a\r\nb\u2028c'];
    for (const s of samples) expect(normalizeBody(normalizeBody(s))).toBe(normalizeBody(s));
  });
});
