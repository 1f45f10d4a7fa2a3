import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDeadlinePolicy } from './deadline.config';
import { loadGazetteer } from './gazetteer.config';
import { routePetition } from './petition.routing';
import { loadRoutingTable } from './routing-table.config';
import { RoutingConfigError } from './routing-config.error';
import { loadRoutingConfig, ROUTING_CONFIG_FILES } from './routing-config.loader';
import { loadUrgencyLexicon } from './urgency.config';

const shippedDir = join(__dirname, '..', '..', '..', 'config');

/** The error a loader throws, or a failure when it throws none or another kind. */
function configError(load: () => unknown): RoutingConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof RoutingConfigError) return error;
    throw error;
  }
  throw new Error('expected a RoutingConfigError');
}

describe('config loading', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'routing-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  const loaders: Record<string, (path: string) => unknown> = {
    gazetteer: loadGazetteer,
    urgency: loadUrgencyLexicon,
    routing: loadRoutingTable,
    deadlines: loadDeadlinePolicy,
  };

  it.each([
    {
      kind: 'gazetteer',
      field: 'districts[0].name',
      problem: 'must be a non-empty string',
      yaml: 'provinces: [重庆市]\ndistricts:\n  - short: 涪陵\n',
    },
    { kind: 'gazetteer', field: 'provinces', problem: 'at least one', yaml: 'districts: []\n' },
    {
      kind: 'gazetteer',
      field: 'provinces',
      problem: 'unknown province "西地省"',
      yaml: 'provinces: [西地省]\n',
    },
    {
      kind: 'gazetteer',
      field: 'districts',
      problem: 'must be a list',
      yaml: 'provinces: [重庆市]\ndistricts: 3\n',
    },
    {
      kind: 'gazetteer',
      field: 'districts[0].town',
      problem: 'unknown key',
      yaml: 'provinces: [重庆市]\ndistricts:\n  - name: 涪陵区\n    town: [李渡街道]\n',
    },
    {
      kind: 'gazetteer',
      field: 'districts[0].name',
      problem: 'no county in the national division data',
      yaml: 'provinces: [重庆市]\ndistricts:\n  - name: 涪林区\n',
    },
    {
      kind: 'gazetteer',
      field: 'districts[0].towns[0].name',
      problem: 'no town of 忠县',
      yaml: 'provinces: [重庆市]\ndistricts:\n  - name: 忠县\n    towns: [{ name: 李渡街道 }]\n',
    },
    {
      kind: 'gazetteer',
      field: 'districts[1].aliases[0]',
      problem: 'already names 开州区',
      yaml: 'provinces: [重庆市]\ndistricts:\n  - name: 开州区\n    aliases: [开县]\n  - name: 云阳县\n    aliases: [开县]\n',
    },
    {
      kind: 'gazetteer',
      field: 'districts[0].short',
      problem: 'at least two',
      yaml: 'provinces: [重庆市]\ndistricts:\n  - name: 忠县\n    short: 忠\n',
    },
    {
      kind: 'gazetteer',
      field: 'districts[0].towns[1].name',
      problem: 'must be a non-empty string',
      yaml: 'provinces: [重庆市]\ndistricts:\n  - name: 涪陵区\n    towns: [{ name: 李渡街道 }, { aliases: [李渡] }]\n',
    },
    {
      kind: 'urgency',
      field: 'flags.violence.priority',
      problem: 'must be one of high, urgent',
      yaml: 'flags:\n  violence:\n    priority: critical\n    terms: [打人]\n',
    },
    {
      kind: 'urgency',
      field: 'flags.violence.terms',
      problem: 'at least one term',
      yaml: 'flags:\n  violence:\n    priority: high\n    terms: []\n',
    },
    {
      kind: 'urgency',
      field: 'flags.b.terms[0]',
      problem: 'already a term of a',
      yaml: 'flags:\n  a:\n    priority: high\n    terms: [打人]\n  b:\n    priority: urgent\n    terms: [打人]\n',
    },
    {
      kind: 'urgency',
      field: 'flags.a.negateable',
      problem: 'unknown key',
      yaml: 'flags:\n  a:\n    priority: high\n    terms: [打人]\n    negateable: true\n',
    },
    {
      kind: 'routing',
      field: 'categories.劳动保障',
      problem: 'unknown category',
      yaml: 'categories:\n  劳动保障:\n    default: 人社局\n',
    },
    {
      kind: 'routing',
      field: 'categories.民政.template',
      problem: 'unknown placeholder {county}',
      yaml: "categories:\n  民政:\n    template: '{county}民政局'\n",
    },
    {
      kind: 'routing',
      field: 'categories.民政',
      problem: 'needs a template',
      yaml: 'categories:\n  民政: {}\n',
    },
    {
      kind: 'routing',
      field: 'categories.民政.overrides.涪陵区',
      problem: 'non-empty string',
      yaml: 'categories:\n  民政:\n    overrides:\n      涪陵区: 7\n',
    },
    {
      kind: 'deadlines',
      field: 'default.dayKind',
      problem: 'must be one of calendar, working',
      yaml: 'default: { policy: p, dayKind: weekdays, registerWithinDays: 1, acceptWithinDays: 3, finishWithinDays: 20 }\n',
    },
    {
      kind: 'deadlines',
      field: 'channels.fax',
      problem: 'must be one of sms, email, mailbox, board',
      yaml: 'default: { policy: p, dayKind: calendar, registerWithinDays: 1, acceptWithinDays: 3, finishWithinDays: 20 }\nchannels:\n  fax: { acceptWithinDays: 5 }\n',
    },
    {
      kind: 'deadlines',
      field: 'channels.board.finishWithinDays',
      problem: 'must not be shorter than acceptWithinDays',
      yaml: 'default: { policy: p, dayKind: calendar, registerWithinDays: 1, acceptWithinDays: 3, finishWithinDays: 20 }\nchannels:\n  board: { acceptWithinDays: 25 }\n',
    },
    {
      kind: 'deadlines',
      field: 'default.registerWithinDays',
      problem: 'whole number',
      yaml: 'default: { policy: p, dayKind: calendar, registerWithinDays: 1.5, acceptWithinDays: 3, finishWithinDays: 20 }\n',
    },
    {
      kind: 'deadlines',
      field: 'holidays[1]',
      problem: 'is not a date',
      yaml: 'default: { policy: p, dayKind: working, registerWithinDays: 1, acceptWithinDays: 3, finishWithinDays: 20 }\nholidays: [2024-10-01, 2024-02-30]\n',
    },
    {
      kind: 'deadlines',
      field: 'holidays[0]',
      problem: 'YYYY-MM-DD',
      yaml: 'default: { policy: p, dayKind: working, registerWithinDays: 1, acceptWithinDays: 3, finishWithinDays: 20 }\nholidays: [20241001]\n',
    },
  ])('$kind: bad file names $field', ({ kind, yaml, field, problem }) => {
    const path = write(`${kind}.yaml`, yaml);
    const load = loaders[kind];
    if (load === undefined) throw new Error(`no loader for ${kind}`);
    const error = configError(() => load(path));
    expect(error.file).toBe(path);
    expect(error.field).toBe(field);
    expect(error.message).toContain(path);
    expect(error.message).toContain(field);
    expect(error.message).toContain(problem);
    expect(error.retriable).toBe(false);
  });

  it('names the file of a YAML syntax error', () => {
    const path = write('broken.yaml', 'flags: [unclosed\n');
    const error = configError(() => loadUrgencyLexicon(path));
    expect(error.file).toBe(path);
    expect(error.message).toContain('invalid YAML');
  });

  it('names a missing file', () => {
    const path = join(dir, 'missing.yaml');
    expect(configError(() => loadRoutingTable(path)).message).toContain(
      `${path}: (root): cannot read file`,
    );
  });

  it('rejects a routing override for a district the gazetteer does not know', () => {
    const setDir = mkdtempSync(join(dir, 'set-'));
    for (const name of Object.values(ROUTING_CONFIG_FILES))
      copyFileSync(join(shippedDir, name), join(setDir, name));
    const routingPath = join(setDir, ROUTING_CONFIG_FILES.routing);
    const routing = readFileSync(routingPath, 'utf8');
    writeFileSync(
      routingPath,
      routing.replace(
        'default: 重庆市民政局',
        'default: 重庆市民政局\n    overrides:\n      涪陵县: 某民政局',
      ),
    );
    const error = configError(() => loadRoutingConfig(setDir));
    expect(error.file).toBe(routingPath);
    expect(error.field).toBe('categories.民政.overrides.涪陵县');
  });

  it('loads the shipped config and routes a petition end to end', () => {
    const config = loadRoutingConfig(shippedDir);
    const routing = routePetition(
      {
        text: '石柱县西沱镇的工地拖欠农民工工资半年，工人说要集体上访',
        channel: 'board',
        channelCounty: '忠县',
        category: '劳动和社会保障',
        receivedAt: new Date('2024-05-31T10:00:00Z'),
      },
      config,
    );
    expect(routing).toEqual({
      locality: {
        district: '石柱土家族自治县',
        town: '西沱镇',
        code: '500240101',
        source: 'text',
        confidence: 0.9,
      },
      urgency: {
        priority: 'high',
        flags: ['mass-gathering', 'wage-arrears'],
        evidence: [
          { flag: 'mass-gathering', text: '集体上访', start: 23, end: 27 },
          { flag: 'wage-arrears', text: '农民工工资', start: 11, end: 16 },
        ],
      },
      route: { unit: '石柱土家族自治县人力资源和社会保障局', rule: 'template:劳动和社会保障' },
      deadlines: {
        policy: 'board-5-day-acceptance',
        registerBy: '2024-06-01T15:59:59.000Z',
        acceptBy: '2024-06-05T15:59:59.000Z',
        finishBy: '2024-06-20T15:59:59.000Z',
      },
    });
  });
});
