import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { topicNames } from '@app/contracts';
import type { OutboundRecord, RecordSink } from '@app/kafka';
import { loadGatewayEnv } from '../config/gateway.env';
import { ChannelRequestError } from '../http/channel-errors';
import { SignatureShadow } from '../http/signature-shadow';
import { IntakeService } from '../intake/intake.service';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import type { ChannelAdapter, PetitionDraft } from './channel-adapter';
import { ChannelIngressController } from './channel-ingress.controller';

class MemorySink implements RecordSink {
  readonly records: OutboundRecord[] = [];
  readonly depth = { records: 0, bytes: 0 };
  publish(record: OutboundRecord): Promise<void> {
    this.records.push(record);
    return Promise.resolve();
  }
}

/** A provider whose one item carries the given phone: what intake thinks of it is under test. */
function adapterSending(phone: string): ChannelAdapter {
  const draft: PetitionDraft = {
    ref: 'one',
    idempotencyKey: 'sms:stub:one',
    channel: 'sms',
    provider: 'stub',
    recipient: null,
    petitioner: { name: null, phone, email: null, idNumber: null },
    subject: null,
    text: '县长您好：路灯坏了两个月。',
    attachments: [],
    meta: {},
  };
  return {
    route: 'sms/stub',
    channel: 'sms',
    provider: 'stub',
    verify: () => undefined,
    parse: () => ({ items: [draft], rejected: [] }),
    reply: (outcomes) => ({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify(outcomes),
    }),
  };
}

describe('ChannelIngressController: a one-item request intake refuses', () => {
  const silent = () => new PinoLogger({ pinoHttp: { level: 'silent' } });

  async function post(phone: string, sink: MemorySink): Promise<{ status: number; body: string }> {
    const env = loadGatewayEnv({ KAFKA_BROKERS: '127.0.0.1:1' });
    const metrics = new GatewayMetrics(sink as never);
    const controller = new ChannelIngressController(
      [adapterSending(phone)],
      env,
      new IntakeService(sink, topicNames(''), silent()),
      metrics,
      new SignatureShadow(env, metrics, silent()),
    );
    const req = {
      id: 'req-1',
      method: 'POST',
      url: '/channels/sms/stub',
      protocol: 'http',
      host: 'localhost',
      ip: '127.0.0.1',
      headers: {},
      body: {},
    } as unknown as FastifyRequest;
    let status = 0;
    let body = '';
    const res = {
      status(code: number) {
        status = code;
        return res;
      },
      header() {
        return res;
      },
      send(payload: string) {
        body = payload;
        return Promise.resolve(res);
      },
    } as unknown as FastifyReply;
    await controller.receive(req, res);
    return { status, body };
  }

  it('answers 400 with the reason, publishes nothing and gives no tracking number', async () => {
    const sink = new MemorySink();
    const failure: unknown = await post('1'.repeat(5000), sink).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ChannelRequestError);
    expect(failure).toMatchObject({
      status: 400,
      code: 'invalid-petition',
      message: 'petitioner.phone must NOT have more than 64 characters',
    });
    expect(sink.records).toHaveLength(0);
  });

  it('answers the adapter reply when intake accepts the item', async () => {
    const sink = new MemorySink();
    const { status, body } = await post('13912345678', sink);
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual([
      { ref: 'one', status: 'accepted', petitionId: expect.stringMatching(/^XF-/) },
    ]);
    expect(sink.records).toHaveLength(1);
  });
});
