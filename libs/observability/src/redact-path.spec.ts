import { redactPath } from './redact-path';

describe('redactPath', () => {
  it.each([
    ['/channels/sms/twilio?From=%2B8613912345678', '/channels/sms/twilio'],
    ['/mailbox/zhongxian-county-head', '/mailbox/zhongxian-county-head'],
    ['/mailbox/%2B86%20139%201234%205678', '/mailbox/[redacted]'],
    ['/mailbox/13912345678', '/mailbox/[phone]'],
    ['/mailbox/%31%33%39%31%32%33%34%35%36%37%38', '/mailbox/[phone]'],
    [
      '/mailbox/%EF%BC%91%EF%BC%93%EF%BC%99%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96%EF%BC%97%EF%BC%98',
      '/mailbox/[phone]',
    ],
    ['/mailbox/wang.jianguo%40example.com', '/mailbox/[redacted]'],
    ['/mailbox/%E6%AC%A7%E9%98%B3%E4%BF%AE', '/mailbox/[redacted]'],
    ['/x/11010519491231002X', '/x/[id-number]'],
    ['/x/%E0%A4%A', '/x/[redacted]'],
  ])('%s → %s', (input, expected) => {
    expect(redactPath(input)).toBe(expected);
  });
});
