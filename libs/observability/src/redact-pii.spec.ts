import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { redactPii } from './redact-pii';

describe('redactPii', () => {
  it.each([
    ['call 13800138000 now', 'call [phone] now'],
    ['tel +86 138-0013-8000.', 'tel [phone].'],
    ['+8613800138000', '[phone]'],
    ['landline 023-63881234', 'landline [phone]'],
    ['id 11010519491231002X ok', 'id [id-number] ok'],
    ['mail Zhang.San@example.com.cn', 'mail [email]'],
    ['order 2024 count 12', 'order 2024 count 12'],
  ])('%s → %s', (input, expected) => {
    expect(redactPii(input)).toBe(expected);
  });
});

describe('logger', () => {
  it('never writes phone, ID or e-mail, in messages or fields', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger('test', sink);
    log.info(
      { petitioner: { phone: '13800138000', name: '张三' }, note: 'from 13900139000' },
      'mail a@b.cn',
    );
    log.error(new Error('bad id 11010519491231002X'));
    const all = lines.join('');
    for (const secret of ['13800138000', '张三', '13900139000', 'a@b.cn', '11010519491231002X']) {
      expect(all).not.toContain(secret);
    }
    expect(all).toContain('[redacted]');
  });
});
