import { join } from 'node:path';
import { ConfigError } from './validate-config';
import { loadChannelsConfig, parseChannelsConfig } from './channels.config';
import { RecipientDirectory } from './recipient-directory';
import { resolveSecret } from './secret-ref';

const valid = `
receipts:
  sms: "已收到，编号{petitionId}"
recipients:
  - { id: county-head, name: 忠县县长, kind: leader, county: 忠县 }
sms:
  hotlines:
    - { number: "+8613800000002", recipient: county-head }
`;

const full = `${valid}
  gateways:
    - { id: modem-pool, secretEnv: SMS_GATEWAY_POOL_SECRET, multipartTimeoutSeconds: 120 }
mailboxes:
  - { id: county-head, title: 县长信箱, recipient: county-head, requireIdNumber: true }
board:
  boards:
    - { id: city-board, name: 网络问政, recipient: county-head }
  scrapers:
    - { id: crawler, keyHash: ${'a'.repeat(64)}, boards: [city-board] }
`;

function problemsOf(yaml: string): string[] {
  try {
    parseChannelsConfig(yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('channels config', () => {
  it('accepts a valid file and maps hotlines to recipients', () => {
    const dir = new RecipientDirectory(parseChannelsConfig(valid));
    expect(dir.forHotline('+8613800000002')).toEqual({
      id: 'county-head',
      name: '忠县县长',
      kind: 'leader',
      county: '忠县',
    });
    expect(dir.forHotline('+8613800000009')).toBeNull();
  });

  it('loads the shipped default config', () => {
    const config = loadChannelsConfig(join(__dirname, '../../../config/channels.yaml'));
    expect(config.sms.hotlines.length).toBeGreaterThanOrEqual(3);
  });

  it('fills defaults for the gateway, mailbox and board sections', () => {
    const config = parseChannelsConfig(full);
    expect(config.sms.gateways[0]).toMatchObject({
      id: 'modem-pool',
      secretEnv: 'SMS_GATEWAY_POOL_SECRET',
      replayWindowSeconds: 300,
      maxBatch: 100,
      multipartTimeoutSeconds: 120,
      rateLimit: { burst: 60, perMinute: 600 },
    });
    expect(config.mailboxes[0]).toMatchObject({
      requireIdNumber: true,
      attachments: {
        maxFiles: 3,
        maxBytes: 5 * 1024 * 1024,
        types: ['image/jpeg', 'image/png', 'application/pdf'],
      },
    });
    expect(config.board).toMatchObject({
      maxBatch: 100,
      boards: [{ id: 'city-board' }],
      scrapers: [{ boards: ['city-board'] }],
    });
  });

  it('ships mailboxes, boards and SMS gateways in the default config', () => {
    const config = loadChannelsConfig(join(__dirname, '../../../config/channels.yaml'));
    expect(config.mailboxes.map((m) => m.title)).toEqual(
      expect.arrayContaining(['忠县县长信箱', '忠县书记信箱']),
    );
    expect(config.board.boards.length).toBeGreaterThanOrEqual(2);
    expect(config.sms.gateways.every((g) => g.secretEnv ?? g.secretFile)).toBe(true);
  });

  it.each([
    [
      'an inline secret',
      full.replace('secretEnv: SMS_GATEWAY_POOL_SECRET', 'secret: hunter2'),
      'sms.gateways.0.secret',
    ],
    [
      'both secretEnv and secretFile',
      full.replace(
        'secretEnv: SMS_GATEWAY_POOL_SECRET',
        'secretEnv: SMS_GATEWAY_POOL_SECRET, secretFile: /x',
      ),
      'exactly one of',
    ],
    [
      'neither secretEnv nor secretFile',
      full.replace('secretEnv: SMS_GATEWAY_POOL_SECRET, ', ''),
      'exactly one of',
    ],
    [
      'a secretEnv not ending in _SECRET',
      full.replace('SMS_GATEWAY_POOL_SECRET', 'PATH'),
      'sms.gateways.0.secretEnv',
    ],
    [
      'a zero multipart timeout',
      full.replace('multipartTimeoutSeconds: 120', 'multipartTimeoutSeconds: 0'),
      'sms.gateways.0.multipartTimeoutSeconds',
    ],
    [
      'a mailbox for an unknown recipient',
      full.replace('title: 县长信箱, recipient: county-head', 'title: 县长信箱, recipient: nobody'),
      'mailboxes.0.recipient',
    ],
    ['a mailbox without title', full.replace('title: 县长信箱, ', ''), 'mailboxes.0.title'],
    [
      'requireIdNumber as a string',
      full.replace('requireIdNumber: true', 'requireIdNumber: "yes"'),
      'mailboxes.0.requireIdNumber',
    ],
    [
      'a scraper key stored in clear',
      full.replace('a'.repeat(64), 'my-secret-key'),
      'board.scrapers.0.keyHash',
    ],
    [
      'a scraper allowed an unknown board',
      full.replace('boards: [city-board]', 'boards: [elsewhere]'),
      'board.scrapers.0.boards.0',
    ],
    [
      'a board for an unknown recipient',
      full.replace('name: 网络问政, recipient: county-head', 'name: 网络问政, recipient: x'),
      'board.boards.0.recipient',
    ],
    [
      'a gateway rate limit of 0',
      full.replace(
        'multipartTimeoutSeconds: 120',
        'multipartTimeoutSeconds: 120, rateLimit: { burst: 0 }',
      ),
      'sms.gateways.0.rateLimit.burst',
    ],
    [
      'a scraper rate limit as text',
      full.replace(
        'boards: [city-board] }',
        'boards: [city-board], rateLimit: { perMinute: lots } }',
      ),
      'board.scrapers.0.rateLimit.perMinute',
    ],
  ])('rejects %s, naming the field', (_name, yaml, field) => {
    expect(problemsOf(yaml).join('\n')).toContain(field);
  });

  it('takes per-gateway and per-scraper rate limits, defaults filled', () => {
    const config = parseChannelsConfig(
      full
        .replace(
          'multipartTimeoutSeconds: 120',
          'multipartTimeoutSeconds: 120, rateLimit: { burst: 5 }',
        )
        .replace(
          'boards: [city-board] }',
          'boards: [city-board], rateLimit: { burst: 2, perMinute: 30 } }',
        ),
    );
    expect(config.sms.gateways[0]?.rateLimit).toEqual({ burst: 5, perMinute: 600 });
    expect(config.board.scrapers[0]?.rateLimit).toEqual({ burst: 2, perMinute: 30 });
  });

  it.each([
    [
      'unknown recipient',
      valid.replace('recipient: county-head', 'recipient: nobody'),
      'sms.hotlines.0.recipient',
    ],
    ['non-E.164 hotline', valid.replace('+8613800000002', '13800000002'), 'sms.hotlines.0.number'],
    ['bad recipient kind', valid.replace('kind: leader', 'kind: boss'), 'recipients.0.kind'],
    ['template without number', valid.replace('编号{petitionId}', '编号'), 'receipts.sms'],
    ['unknown field', valid.replace('receipts:', 'surprise: 1\nreceipts:'), 'surprise'],
    ['not YAML', 'recipients: [', 'not valid YAML'],
  ])('rejects %s, naming the field', (_name, yaml, field) => {
    const problems = problemsOf(yaml);
    expect(problems.some((p) => p.includes(field))).toBe(true);
  });

  describe('secret references', () => {
    it.each([
      ['an environment variable', { secretEnv: 'X_SECRET' }, { X_SECRET: 's3cret' }, 's3cret'],
      ['an unset environment variable', { secretEnv: 'X_SECRET' }, {}, null],
      ['an empty environment variable', { secretEnv: 'X_SECRET' }, { X_SECRET: '' }, null],
      ['a file, without its trailing newline', { secretFile: '/run/secrets/x' }, {}, 'from-file'],
      ['a missing file', { secretFile: '/nonexistent' }, {}, null],
    ])('resolves %s', (_name, ref, env, expected) => {
      const readFile = (path: string): string => {
        if (path === '/run/secrets/x') return 'from-file\n';
        throw new Error('ENOENT');
      };
      expect(resolveSecret(ref, { env, readFile })).toBe(expected);
    });
  });
});
