import { builtEventProblems, petitionEventProblems } from './schema-validator';

/** A complete v1 event, as the normalizer emits it (synthetic text and number). */
const EVENT = {
  schema: 'petition.event/1',
  eventId: 'b3d6bc20-4f21-4c3a-9b9f-afb2e1b1fdea',
  eventType: 'petition.received',
  revision: 1,
  petitionId: 'XF-9J4S8FSJBAJJN',
  idempotencyKey: 'sms:twilio:SM0001',
  channel: 'sms',
  provider: 'twilio',
  receivedAt: '2024-01-01T00:00:00.000Z',
  normalizedAt: '2024-01-01T00:33:20.000Z',
  recipient: null,
  petitioner: {
    name: null,
    phone: '+8613800138000',
    email: null,
    identityKey: '1e849f72e7966e1c82395ba2651fd9fd',
    otherIdentityKeys: [],
    anonymous: false,
  },
  subject: '路灯',
  body: '小区门口路灯坏了',
  original: '小区门口路灯坏了',
  attachments: [],
  meta: {
    providerMessageId: 'SM0001',
  },
  update: null,
  reply: null,
  script: 'simplified',
  classification: {
    category: '城乡建设',
    confidence: 0.995,
    source: 'model',
    intent: 'complaint',
    intentConfidence: 0.81,
  },
  locality: {
    district: null,
    town: null,
    source: null,
    confidence: 0,
  },
  urgency: {
    priority: 'normal',
    flags: [],
  },
  routing: {
    unit: '重庆市住房和城乡建设委员会',
    rule: 'default:城乡建设',
  },
  deadlines: {
    policy: 'fuling-12320',
    registerBy: '2024-01-02T15:59:59.000Z',
    acceptBy: '2024-01-04T15:59:59.000Z',
    finishBy: '2024-01-21T15:59:59.000Z',
  },
  dedup: {
    outcome: 'new',
    of: null,
    similarity: null,
    clusterId: 'XF-9J4S8FSJBAJJN',
    clusterSize: 1,
  },
} as const;

function withField(path: string[], value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(EVENT)) as Record<string, unknown>;
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[path[path.length - 1] as string] = value;
  return copy;
}

describe('event schema validation', () => {
  it('accepts a complete event, exactly and by shape', () => {
    expect(petitionEventProblems(EVENT)).toEqual([]);
    expect(builtEventProblems(EVENT)).toEqual([]);
  });

  it.each([
    [['dedup', 'outcome'], 'maybe'],
    [['classification', 'confidence'], 'high'],
    [['petitionId'], 'XF-1'],
    [['receivedAt'], 'yesterday'],
    [['petitioner'], null],
    [['petitioner', 'otherIdentityKeys'], ['+8613800138000']],
    [
      ['petitioner', 'otherIdentityKeys'],
      ['0'.repeat(32), '0'.repeat(32)],
    ],
  ])('both reject %j = %j', (path, value) => {
    const bad = withField(path, value);
    expect(petitionEventProblems(bad).length).toBeGreaterThan(0);
    expect(builtEventProblems(bad).length).toBeGreaterThan(0);
  });

  it('accepts the other identity keys, and an event of before they existed', () => {
    expect(petitionEventProblems(withField(['petitioner', 'otherIdentityKeys'], []))).toEqual([]);
    expect(
      petitionEventProblems(withField(['petitioner', 'otherIdentityKeys'], ['ab'.repeat(16)])),
    ).toEqual([]);
    const { otherIdentityKeys: _o, ...older } = EVENT.petitioner as Record<string, unknown>;
    expect(petitionEventProblems({ ...EVENT, petitioner: older })).toEqual([]);
  });

  it('only the exact check rejects a well-shaped date-time that is no real instant', () => {
    const bad = withField(['receivedAt'], '2024-02-30T10:00:00.000Z');
    expect(petitionEventProblems(bad).join()).toMatch(/receivedAt/);
    expect(builtEventProblems(bad)).toEqual([]);
  });
});
