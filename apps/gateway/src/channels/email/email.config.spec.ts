import { ConfigError, loadChannelsConfig } from '@app/config';
import { repoPath } from '@app/testing';
import { readFileSync } from 'node:fs';
import { emailEnabled, loadEmailConfig, parseEmailConfig } from './email.config';

const channels = loadChannelsConfig(repoPath('config/channels.yaml'));

function problems(yaml: string): string[] {
  try {
    parseEmailConfig(yaml, channels, 'test');
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

describe('email config', () => {
  it('the shipped config is valid and keeps email off', () => {
    const config = parseEmailConfig(readFileSync(repoPath('config/email.yaml'), 'utf8'), channels);
    expect(emailEnabled(config)).toBe(false);
    expect(config.addresses.length).toBeGreaterThan(0);
  });

  it('a missing default file means email is off', () => {
    expect(emailEnabled(loadEmailConfig('/nonexistent/email.yaml', channels))).toBe(false);
  });

  it.each([
    [
      'unknown recipient',
      'addresses: [{ address: a@b.test, recipient: nobody }]',
      'addresses.0.recipient: unknown recipient "nobody"',
    ],
    [
      'inline password',
      'imap: { enabled: true, accounts: [{ id: ab, host: h, user: u, passwordEnv: "hunter2 pw", recipient: zhongxian-county-head }] }',
      'imap.accounts.0.passwordEnv',
    ],
    ['imap on without accounts', 'imap: { enabled: true }', 'imap.accounts: at least one account'],
    [
      'listener on without addresses',
      'smtpListener: { enabled: true }',
      'addresses: the SMTP listener',
    ],
    [
      'bad address',
      'addresses: [{ address: not-an-address, recipient: zhongxian-county-head }]',
      'addresses.0.address',
    ],
    ['unknown field', 'smtpListner: {}', 'smtpListner'],
  ])('%s is refused, naming the field', (_name, yaml, expected) => {
    expect(problems(yaml).join('\n')).toContain(expected);
  });
});
