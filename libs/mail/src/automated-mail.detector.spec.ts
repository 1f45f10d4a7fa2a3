import { automatedReason, isSystemSender, type HeaderLine } from './automated-mail.detector';

const h = (key: string, value: string): HeaderLine => ({ key, value });

describe('automatedReason', () => {
  it.each<[string, HeaderLine[], string | null, string, string | null]>([
    ['a person', [h('subject', '路灯')], 'citizen@example.test', 'text/plain', null],
    ['Auto-Submitted: no', [h('auto-submitted', 'no')], 'a@example.test', 'text/plain', null],
    [
      'Auto-Submitted: auto-replied',
      [h('auto-submitted', 'auto-replied')],
      'a@x.test',
      'text/plain',
      'auto-submitted',
    ],
    [
      'Auto-Submitted: auto-generated',
      [h('auto-submitted', 'auto-generated; owner=x')],
      'a@x.test',
      'text/plain',
      'auto-submitted',
    ],
    ['Precedence: bulk', [h('precedence', 'bulk')], 'a@x.test', 'text/plain', 'precedence'],
    ['Precedence: junk', [h('precedence', 'junk')], 'a@x.test', 'text/plain', 'precedence'],
    ['Precedence: list', [h('precedence', 'list')], 'a@x.test', 'text/plain', 'precedence'],
    ['X-Loop', [h('x-loop', 'gateway.local')], 'a@x.test', 'text/plain', 'x-loop'],
    ['List-Id', [h('list-id', '<news.example.test>')], 'a@x.test', 'text/plain', 'mailing-list'],
    [
      'List-Unsubscribe',
      [h('list-unsubscribe', '<mailto:u@x.test>')],
      'a@x.test',
      'text/plain',
      'mailing-list',
    ],
    ['Return-Path <>', [h('return-path', '<>')], 'a@x.test', 'text/plain', 'null-return-path'],
    [
      'delivery report',
      [],
      'a@x.test',
      'multipart/report; report-type=delivery-status',
      'delivery-report',
    ],
    ['MAILER-DAEMON', [], 'MAILER-DAEMON@mx.test', 'text/plain', 'system-sender'],
    ['postmaster', [], 'postmaster@mx.test', 'text/plain', 'system-sender'],
    ['noreply', [], 'noreply@bank.test', 'text/plain', 'system-sender'],
    ['no-reply', [], 'no-reply@bank.test', 'text/plain', 'system-sender'],
    ['X-Autoreply', [h('x-autoreply', 'yes')], 'a@x.test', 'text/plain', 'auto-response-header'],
  ])('%s', (_name, headers, from, type, expected) => {
    expect(automatedReason(headers, from, type)).toBe(expected);
  });

  it('does not take a person whose name merely contains "reply" for a system sender', () => {
    expect(isSystemSender('replyman@example.test')).toBe(false);
    expect(isSystemSender(null)).toBe(false);
  });
});
