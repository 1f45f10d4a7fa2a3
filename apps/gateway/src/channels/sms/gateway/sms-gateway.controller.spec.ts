import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { parseChannelsConfig } from '@app/config';
import { topicNames } from '@app/contracts';
import type { OutboundRecord, RecordSink } from '@app/kafka';
import {
  SMS_GATEWAY_TEST_SECRET,
  gatewayHeaders,
  gatewayMessage,
} from '../../../../../../test/fixtures/sms-gateway/push';
import { loadGatewayEnv } from '../../../config/gateway.env';
import { ChannelAuthError } from '../../../http/channel-errors';
import { SignatureShadow } from '../../../http/signature-shadow';
import { IntakeService } from '../../../intake/intake.service';
import { GatewayMetrics } from '../../../metrics/gateway.metrics';
import { SmsGatewayAdapter } from './sms-gateway.adapter';
import { SmsGatewayController } from './sms-gateway.controller';
import { LmdbGatewayState } from '../../../state/lmdb-gateway-state';
import { SmsSegmentStore } from './sms-segment.store';

/** The fixture config, with a small request budget for the test gateway. */
const channels = parseChannelsConfig(
  readFileSync(
    join(__dirname, '../../../../../../test/fixtures/sms-gateway/channels.yaml'),
    'utf8',
  ).replace('maxBatch: 5', 'maxBatch: 5\n      rateLimit: { burst: 2, perMinute: 2 }'),
);

class MemorySink implements RecordSink {
  readonly records: OutboundRecord[] = [];
  publish(record: OutboundRecord): Promise<void> {
    this.records.push(record);
    return Promise.resolve();
  }
}

/** The controller with its real adapter, LMDB store, intake and shadow check, over a memory sink. */
describe('SmsGatewayController: signature shadow mode and per-gateway rate limit', () => {
  let dir: string;
  let sink: MemorySink;
  let segments: SmsSegmentStore;
  let state: LmdbGatewayState;
  let controller: SmsGatewayController;
  let shadowLog: PinoLogger;

  function build(settings: Record<string, string> = {}): void {
    const env = loadGatewayEnv({
      KAFKA_BROKERS: '127.0.0.1:1',
      GATEWAY_STATE_DIR: dir,
      SMS_GATEWAY_TEST_SECRET,
      ...settings,
    });
    const silent = () => new PinoLogger({ pinoHttp: { level: 'silent' } });
    shadowLog = silent();
    controller = new SmsGatewayController(
      new SmsGatewayAdapter(env, channels),
      segments,
      new IntakeService(sink, topicNames(''), silent()),
      env,
      channels,
      state,
      new SignatureShadow(env, new GatewayMetrics(sink as never), shadowLog),
      silent(),
    );
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sms-gateway-state-'));
    sink = new MemorySink();
    state = new LmdbGatewayState(dir);
    segments = new SmsSegmentStore(state);
    build();
  });

  afterEach(async () => {
    await state.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function push(
    id: string,
    sign: { secret?: string; timestamp?: number } = {},
  ): Promise<{ status: number; json: Record<string, unknown>; headers: Record<string, string> }> {
    return pushBody(gatewayMessage({ id }), sign);
  }

  async function pushBody(
    body: unknown,
    sign: { secret?: string; timestamp?: number } = {},
  ): Promise<{ status: number; json: Record<string, unknown>; headers: Record<string, string> }> {
    const raw = JSON.stringify(body);
    const req = {
      id: 'req-1',
      method: 'POST',
      url: '/channels/sms/gateway',
      protocol: 'http',
      host: 'localhost',
      ip: '127.0.0.1',
      headers: gatewayHeaders(raw, sign),
      rawBody: Buffer.from(raw),
      body,
    } as unknown as FastifyRequest;
    let status = 0;
    let sent = '';
    const headers: Record<string, string> = {};
    const res = {
      status(code: number) {
        status = code;
        return res;
      },
      header(name: string, value: string) {
        headers[name] = value;
        return res;
      },
      send(payload: unknown) {
        sent = typeof payload === 'string' ? payload : JSON.stringify(payload);
        return Promise.resolve(res);
      },
    } as unknown as FastifyReply;
    await controller.receive(req, res);
    return { status, json: JSON.parse(sent) as Record<string, unknown>, headers };
  }

  const WRONG_SECRET = { secret: 'not-the-gateway-secret-000000' };
  const STALE = { timestamp: 1_000_000 };

  it.each<[string, Record<string, string>, { secret?: string; timestamp?: number }, string]>([
    ['off by default: a wrong signature', {}, WRONG_SECRET, 'signature-invalid'],
    ['off by default: a replayed (stale) timestamp', {}, STALE, 'timestamp-stale'],
    [
      'on for another route only',
      { SIGNATURE_SHADOW_ROUTES: 'board/posts' },
      WRONG_SECRET,
      'signature-invalid',
    ],
  ])('%s → 401, nothing published', async (_name, settings, sign, code) => {
    build(settings);
    const failure: unknown = await push('m-1', sign).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ChannelAuthError);
    expect(failure).toMatchObject({ code, status: 401 });
    expect(sink.records).toHaveLength(0);
  });

  it.each<[string, { secret?: string; timestamp?: number }, string]>([
    ['a wrong signature', WRONG_SECRET, 'signature-invalid'],
    ['a stale timestamp', STALE, 'timestamp-stale'],
  ])(
    'on for sms/gateway: %s → accepted, logged with route and code only',
    async (_n, sign, code) => {
      build({ SIGNATURE_SHADOW_ROUTES: 'sms/gateway' });
      const warn = jest.spyOn(shadowLog, 'warn');
      const { status, json } = await push('m-1', sign);
      expect(status).toBe(200);
      expect(json).toMatchObject({ results: [{ id: 'm-1', status: 'accepted' }] });
      expect(sink.records).toHaveLength(1);
      expect(warn.mock.calls).toEqual([
        [{ route: 'sms/gateway', code }, 'signature check failed; accepted in shadow mode'],
      ]);
    },
  );

  it('answers 429 with Retry-After and a code once a gateway exceeds its budget', async () => {
    const answers = [await push('r-1'), await push('r-2'), await push('r-3')];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
    expect(answers[2]?.json).toMatchObject({
      error: { code: 'rate-limited', reason: 'too-many-requests', retryAfterSeconds: 30 },
    });
    expect(answers[2]?.headers['retry-after']).toBe('30');
    expect(sink.records).toHaveLength(2);
  });

  it('does not let a forged request spend the gateway budget', async () => {
    for (let i = 0; i < 3; i++) await push(`f-${i}`, WRONG_SECRET).catch(() => undefined);
    expect((await push('after')).status).toBe(200);
  });

  describe('a batch answer is what happened to each message (issue 24)', () => {
    type Line = { id: string; status: string; petitionId?: string; code?: string };
    const published = () =>
      sink.records.map(
        (r) =>
          JSON.parse(String(r.value)) as { idempotencyKey: string; petitioner: { phone: string } },
      );

    it("an id that looks like another message's position is not confused with it", async () => {
      const { json } = await pushBody({
        messages: [gatewayMessage({ id: '#1' }), gatewayMessage({ id: { no: 'id' } })],
      });
      const lines = json.results as Line[];
      expect(lines.map((l) => [l.id, l.status, l.code])).toEqual([
        ['#1', 'accepted', undefined],
        ['#1', 'rejected', 'invalid-message-id'],
      ]);
      expect(published().map((r) => r.idempotencyKey)).toEqual(['sms:gateway:test-modem:#1']);
    });

    it('another message under a taken id is rejected, not reported accepted and dropped', async () => {
      const { json } = await pushBody({
        messages: [
          gatewayMessage({ id: 'dup' }),
          gatewayMessage({ id: 'dup', from: '13900000000', text: '另一个人的另一条短信' }),
        ],
      });
      const lines = json.results as Line[];
      expect(lines.map((l) => [l.id, l.status, l.code])).toEqual([
        ['dup', 'accepted', undefined],
        ['dup', 'rejected', 'duplicate-message-id'],
      ]);
      expect(published().map((r) => r.petitioner.phone)).toEqual(['13912345678']);
    });

    it('the same message sent twice in one batch is one petition, reported twice', async () => {
      const { json } = await pushBody({
        messages: [gatewayMessage({ id: 'twice' }), gatewayMessage({ id: 'twice' })],
      });
      const lines = json.results as Line[];
      expect(lines.map((l) => l.status)).toEqual(['accepted', 'accepted']);
      expect(lines[1]?.petitionId).toBe(lines[0]?.petitionId);
      expect(sink.records).toHaveLength(1);
    });

    it('ids beyond 2^53 sent as digits stay two petitions', async () => {
      const { json } = await pushBody({
        messages: [
          gatewayMessage({ id: '1234567890124341789' }),
          gatewayMessage({ id: '1234567890124341790', text: '第二条' }),
        ],
      });
      const lines = json.results as Line[];
      expect(lines.map((l) => l.status)).toEqual(['accepted', 'accepted']);
      expect(lines[0]?.petitionId).not.toBe(lines[1]?.petitionId);
      expect(sink.records).toHaveLength(2);
    });
  });
});
