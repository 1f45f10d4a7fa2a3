import iconv from 'iconv-lite';
import { relabelGbCharsets } from './charset-label.rewriter';

describe('relabelGbCharsets', () => {
  it('relabels the GB family in header blocks only, never in bodies', () => {
    const raw = Buffer.from(
      [
        'Subject: =?gb2312?B?dGVzdA==?=',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=GBK',
        '',
        'body says charset=gbk and =?gb2312?B?x?= literally',
        '--b1',
        "Content-Disposition: attachment; filename*=gb2312''%D5%C5.txt",
        '',
        'x',
        '--b1--',
        '',
      ].join('\r\n'),
    );
    const out = relabelGbCharsets(raw).toString('latin1');
    expect(out).toContain('Subject: =?gb18030?B?dGVzdA==?=');
    expect(out).toContain('Content-Type: text/plain; charset=gb18030');
    expect(out).toContain("filename*=gb18030''%D5%C5.txt");
    expect(out).toContain('body says charset=gbk and =?gb2312?B?x?= literally');
  });

  it('re-encodes raw 8-bit GB headers as UTF-8 and leaves UTF-8 headers and body bytes alone', () => {
    const gbSubject = iconv.encode('路灯', 'gbk').toString('latin1');
    const utf8From = Buffer.from('From: 张三 <a@b.test>').toString('latin1');
    const body = iconv.encode('正文', 'gbk');
    const raw = Buffer.concat([
      Buffer.from(
        `Subject: ${gbSubject}\r\n${utf8From}\r\nContent-Type: text/plain; charset=gb2312\r\n\r\n`,
        'latin1',
      ),
      body,
    ]);
    const out = relabelGbCharsets(raw);
    const text = out.toString('utf8');
    expect(text).toContain('Subject: 路灯');
    expect(text).toContain('From: 张三 <a@b.test>');
    expect(out.subarray(out.length - body.length)).toEqual(body);
  });

  it('leaves other charsets untouched', () => {
    const raw = Buffer.from('Content-Type: text/plain; charset=big5\r\n\r\nx');
    expect(relabelGbCharsets(raw).toString()).toBe(raw.toString());
  });
});
