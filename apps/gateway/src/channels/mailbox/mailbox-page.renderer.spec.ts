import { loadChannelsConfig } from '@app/config';
import { join } from 'node:path';
import { escapeHtml, renderForm, renderReceipt } from './mailbox-page.renderer';

const mailbox = loadChannelsConfig(join(__dirname, '../../../../../config/channels.yaml'))
  .mailboxes[0]!;

describe('mailbox page', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['" onfocus="x', '&quot; onfocus=&quot;x'],
    ["' autofocus '", '&#39; autofocus &#39;'],
    ['A&B', 'A&amp;B'],
  ])('escapes %s', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });

  it('labels every field and keeps submitted values, escaped, with errors beside their fields', () => {
    const html = renderForm({
      mailbox,
      values: {
        name: '"><script>x()</script>',
        content: '</textarea><script>y()</script>',
        agreePublic: 'false',
      },
      errors: [{ field: 'content', code: 'content-length', message: '信件内容应为10至20000个字' }],
      submissionId: 'abcdefgh1234',
    });
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;x()&lt;/script&gt;"');
    expect(html).toContain('&lt;/textarea&gt;&lt;script&gt;y()&lt;/script&gt;</textarea>');
    for (const id of [
      'name',
      'phone',
      'idNumber',
      'email',
      'address',
      'title',
      'content',
      'attachments',
    ]) {
      expect(html).toContain(`<label for="${id}">`);
      expect(html).toContain(`id="${id}"`);
    }
    expect(html).toMatch(/<textarea[^>]*aria-describedby="content-hint content-error"/);
    expect(html).toContain('<p class="error" id="content-error">信件内容应为10至20000个字</p>');
    expect(html).toMatch(/value="false" checked/);
    expect(html).toContain('<form method="post" action="/mailbox/zhongxian-county-head"');
    expect(html).toContain('name="submissionId" value="abcdefgh1234"');
  });

  it('shows the receipt with the tracking number and query code', () => {
    const html = renderReceipt(mailbox, 'XF-23456789ABCDE', 'P639EA', false);
    expect(html).toContain('<dd class="number" id="petition-id">XF-23456789ABCDE</dd>');
    expect(html).toContain('<dd class="number" id="query-code">P639EA</dd>');
  });
});
