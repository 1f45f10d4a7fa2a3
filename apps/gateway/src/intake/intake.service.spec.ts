import { PinoLogger } from 'nestjs-pino';
import { topicNames, type RawPetition } from '@app/contracts';
import type { OutboundRecord, RecordSink } from '@app/kafka';
import type { PetitionDraft } from '../channels/channel-adapter';
import { IntakeService } from './intake.service';

class MemorySink implements RecordSink {
  readonly records: OutboundRecord[] = [];
  publish(record: OutboundRecord): Promise<void> {
    this.records.push(record);
    return Promise.resolve();
  }
}

function draft(ref: string, phone: string): PetitionDraft {
  return {
    ref,
    idempotencyKey: `sms:test:${ref}`,
    channel: 'sms',
    provider: 'test',
    recipient: null,
    petitioner: { name: null, phone, email: null, idNumber: null },
    subject: null,
    text: '县长您好：路灯坏了两个月。',
    attachments: [],
    meta: {},
  };
}

describe('IntakeService.accept', () => {
  it('rejects an item the normalizer would dead-letter, publishes the others, keeps item order', async () => {
    const sink = new MemorySink();
    const intake = new IntakeService(
      sink,
      topicNames(''),
      new PinoLogger({ pinoHttp: { level: 'silent' } }),
    );
    const outcomes = await intake.accept(
      {
        items: [draft('a', '13912345678'), draft('b', '1'.repeat(5000)), draft('c', '13900000000')],
        rejected: [{ ref: '#3', code: 'invalid-message', message: 'x' }],
      },
      new Date('2026-12-07T08:00:00Z'),
      'corr-1',
    );
    expect(outcomes.map((o) => [o.ref, o.status])).toEqual([
      ['a', 'accepted'],
      ['b', 'rejected'],
      ['c', 'accepted'],
      ['#3', 'rejected'],
    ]);
    expect(outcomes[1]).toMatchObject({
      code: 'invalid-petition',
      message: 'petitioner.phone must NOT have more than 64 characters',
    });
    const published = sink.records.map(
      (r) => (JSON.parse(String(r.value)) as RawPetition).idempotencyKey,
    );
    expect(published).toEqual(['sms:test:a', 'sms:test:c']);
  });
});
