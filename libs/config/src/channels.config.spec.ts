import { join } from 'node:path';
import { ConfigError } from './validate-config';
import { loadChannelsConfig, parseChannelsConfig } from './channels.config';
import { RecipientDirectory } from './recipient-directory';

const valid = `
receipts:
  sms: "已收到，编号{petitionId}"
recipients:
  - { id: county-head, name: 忠县县长, kind: leader, county: 忠县 }
sms:
  hotlines:
    - { number: "+8613800000002", recipient: county-head }
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
});
