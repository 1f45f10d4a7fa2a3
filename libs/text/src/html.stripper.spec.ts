import { decodeEntities, looksLikeHtml, stripHtml } from './html.stripper';

describe('html stripper', () => {
  it.each([
    ['<p>正文</p>', true],
    ['a &amp; b', true],
    ['PM2.5 < 75 > 50', false],
    ['纯文本', false],
  ])('looksLikeHtml(%s) = %s', (input, expected) => {
    expect(looksLikeHtml(input)).toBe(expected);
  });

  it('keeps escaped markup as text', () => {
    expect(stripHtml('&lt;b&gt;不是标签&lt;/b&gt;')).toBe('<b>不是标签</b>');
  });

  it('drops comments and turns blocks into lines', () => {
    expect(stripHtml('<!-- x --><div>一</div><div>二</div>')).toBe('\n一\n\n二\n');
  });

  it('leaves unknown entities and drops invalid code points', () => {
    expect(decodeEntities('&foo; &#0; &#xD800; &#x4E2D;')).toBe('&foo;   中');
  });
});
