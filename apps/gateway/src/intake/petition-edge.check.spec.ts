import {
  RAW_PETITION_SCHEMA,
  builtEventProblems,
  rawPetitionProblems,
  trackingNumberFor,
  type Judgement,
  type RawPetition,
} from '@app/contracts';
import { buildPetitionEvent } from '../../../normalizer/src/pipeline/petition-normalizer';
import { edgeProblems, readableProblem } from './petition-edge.check';

const AT = new Date('2026-12-07T08:00:00.000Z');

function raw(overrides: Partial<RawPetition> = {}): RawPetition {
  return {
    schema: RAW_PETITION_SCHEMA,
    petitionId: trackingNumberFor('sms:test:1'),
    idempotencyKey: 'sms:test:1',
    channel: 'sms',
    provider: 'test',
    receivedAt: AT.toISOString(),
    eventType: 'petition.received',
    revision: 1,
    recipient: { id: 'zhongxian-county-head', name: '忠县县长', kind: 'leader', county: '忠县' },
    petitioner: { name: null, phone: '13912345678', email: null, idNumber: null },
    subject: null,
    text: '县长您好：小区门口路灯坏了两个月，请帮忙协调修复。',
    attachments: [],
    meta: { providerMessageId: 'm-1' },
    update: null,
    reply: null,
    ...overrides,
  };
}

const petitioner = (p: Partial<RawPetition['petitioner']>): RawPetition['petitioner'] => ({
  name: null,
  phone: null,
  email: null,
  idNumber: null,
  ...p,
});

/** A judgement that passes the event schema, so only what the raw record carries can fail. */
const JUDGEMENT: Judgement = {
  script: 'simplified',
  classification: {
    category: '城乡建设',
    confidence: 0.5,
    source: 'model',
    intent: 'complaint',
    intentConfidence: 0.5,
  },
  locality: { district: null, town: null, source: null, confidence: 0 },
  urgency: { priority: 'normal', flags: [] },
  routing: { unit: null, rule: null },
  deadlines: {
    policy: 'default',
    registerBy: AT.toISOString(),
    acceptBy: AT.toISOString(),
    finishBy: AT.toISOString(),
  },
  dedup: null,
};

/** What the normalizer does with a record: dead-letters it (raw or built event invalid) or not. */
function normalizerRefuses(record: RawPetition): boolean {
  if (rawPetitionProblems(record).length > 0) return true;
  const base = buildPetitionEvent(record, AT, { phoneRegion: 'CN', identitySecret: 'test' });
  return builtEventProblems({ ...base, ...JUDGEMENT }).length > 0;
}

/** Records and whether the normalizer dead-letters them. */
const CASES: [string, RawPetition, boolean][] = [
  ['a good SMS', raw(), false],
  ['a phone of 64 characters', raw({ petitioner: petitioner({ phone: '1'.repeat(64) }) }), false],
  ['a phone of 65 characters', raw({ petitioner: petitioner({ phone: '1'.repeat(65) }) }), true],
  [
    'a phone of 20,000 characters',
    raw({ petitioner: petitioner({ phone: '1'.repeat(2e4) }) }),
    true,
  ],
  // Raw allows a name of 200, the event 100 (after normalisation).
  ['a name of 150 characters', raw({ petitioner: petitioner({ name: '欧'.repeat(150) }) }), true],
  ['a name of 100 characters', raw({ petitioner: petitioner({ name: '欧'.repeat(100) }) }), false],
  // NFKC turns one ﷺ into 18 characters: 10 of them are 180 in the event.
  [
    'a name that grows past 100 when normalised',
    raw({ petitioner: petitioner({ name: '\ufdfa'.repeat(10) }) }),
    true,
  ],
  ['a subject of 1,500 characters', raw({ subject: '题'.repeat(1500) }), true],
  [
    'a subject of 1,500 that collapses to 800',
    raw({ subject: '题 '.repeat(400) + ' '.repeat(700) }),
    false,
  ],
  [
    'an e-mail of 400 characters',
    raw({ petitioner: petitioner({ email: 'a'.repeat(390) + '@example.cn' }) }),
    true,
  ],
  ['a text of 200,000 characters', raw({ text: '字'.repeat(200_000) }), false],
  ['a text of 200,001 characters', raw({ text: '字'.repeat(200_001) }), true],
  // Schemas count code points, `length` counts UTF-16 units: 1,000 astral characters are 2,000.
  ['a subject of 1,000 astral characters', raw({ subject: '\u{20000}'.repeat(1000) }), false],
  ['a subject of 1,001 astral characters', raw({ subject: '\u{20000}'.repeat(1001) }), true],
  ['a provider of 65 characters', raw({ provider: 'p'.repeat(65) }), true],
  ['an idempotency key of 600 characters', raw({ idempotencyKey: 'k'.repeat(600) }), true],
  ['a meta value that is an object', raw({ meta: { nested: {} as never } }), true],
  [
    'a recipient without a name',
    raw({ recipient: { id: 'x', name: '', kind: 'leader', county: null } }),
    true,
  ],
  [
    'an attachment with a field the event does not have',
    raw({
      attachments: [
        {
          filename: 'a.jpg',
          contentType: 'image/jpeg',
          size: 1,
          sha256: 'a'.repeat(64),
          ref: 'r',
          extra: 1,
        } as never,
      ],
    }),
    true,
  ],
  ['a receive time that is no time', raw({ receivedAt: 'yesterday' }), true],
];

describe('edgeProblems: what the normalizer would dead-letter, seen before publishing', () => {
  it.each(CASES.map(([name, record, refused]) => [name, refused, record] as const))(
    '%s: refused %s, as by the normalizer',
    (_name, refused, record) => {
      expect(normalizerRefuses(record)).toBe(refused);
      expect(edgeProblems(record).length > 0).toBe(refused);
    },
  );

  it('names the field and the limit, never the value', () => {
    const [problem] = edgeProblems(
      raw({ petitioner: petitioner({ phone: '139' + '9'.repeat(70) }) }),
    );
    expect(readableProblem(problem!)).toBe(
      'petitioner.phone must NOT have more than 64 characters',
    );
  });
});
