import { splitMailText } from './quote.stripper';

describe('splitMailText: the body', () => {
  it.each([
    ['no quote at all', '路面塌陷了。\n请尽快修。\n', '路面塌陷了。\n请尽快修。'],
    ['">" lines, interleaved answers kept', '> 问一\n答一\n> 问二\n答二', '答一\n答二'],
    ['"-- " signature', '正文\n-- \n签名\n电话', '正文'],
    ['"--" signature without its space', '正文\n--\n签名', '正文'],
    [
      'Foxmail attribution',
      '补充材料见附件。\n在 2026年11月1日 9:00，某某 <a@b.test> 写道：\n原文',
      '补充材料见附件。',
    ],
    [
      'Gmail Chinese attribution',
      '好的\n某某 <a@b.test> 于2026年11月1日周日 09:00写道：\n> 原文',
      '好的',
    ],
    [
      'English attribution wrapped over two lines',
      'ok\nOn Sun, 1 Nov 2026, Someone <\na@b.test> wrote:\n> x',
      'ok',
    ],
    ['原始邮件 separator', '再催一次。\n-----原始邮件-----\n发件人: x\n正文', '再催一次。'],
    [
      'Original Message separator',
      '再催一次。\n----- Original Message -----\nFrom: x',
      '再催一次。',
    ],
    [
      '发件人 block without separator',
      '请回复。\n发件人：办公室\n发送时间：2026年11月1日\n主题：回执',
      '请回复。',
    ],
    [
      '"发件人：" in the petition itself is kept',
      '发件人：我本人，身份证已附。\n情况如下。',
      '发件人：我本人，身份证已附。\n情况如下。',
    ],
    ['device signature', '路灯坏了。\n\n发自我的华为手机', '路灯坏了。'],
    ['all quote: the full text is kept', '> 只有引用\n> 第二行', '> 只有引用\n> 第二行'],
    ['CRLF line ends', '第一行\r\n-- \r\n签名\r\n', '第一行'],
  ])('%s', (_name, input, expected) => {
    expect(splitMailText(input).body).toBe(expected);
  });
});

describe('splitMailText: the signature', () => {
  it.each([
    ['the card below "-- "', '请解决噪音问题。\n-- \n张三\n13800138000', '张三\n13800138000'],
    ['the delimiter without its trailing space', '请解决。\n--\n张三', '张三'],
    [
      'up to the quoted mail below it',
      '请解决。\n-- \n张三\n\n在 2024年5月6日 10:00，信访办 <x@gov.test> 写道：\n> 已受理\n> -- \n> 信访办',
      '张三',
    ],
    [
      "a quoted mail's signature is somebody else's",
      '好的。\n\n在 2024年5月6日 10:00，李四 <l@x.test> 写道：\n> 你好\n-- \n李四\n13912345678',
      '',
    ],
    ['no delimiter', '请解决。\n张三\n13800138000', ''],
    ['a long text below the delimiter is no card', `请解决。\n-- \n${'一行\n'.repeat(9)}`, ''],
  ])('%s', (_name, text, signature) => {
    expect(splitMailText(text).signature).toBe(signature);
  });
});
