import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { parseChannelsConfig } from '@app/config';
import { topicNames } from '@app/contracts';
import { PublishTimeoutError, type OutboundRecord, type RecordSink } from '@app/kafka';
import { repoPath, TEST_TWILIO_TOKEN, twilioInbound, twilioSignature } from '@app/testing';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChannelsModule } from '../channels/channels.module';
import { loadGatewayEnv } from '../config/gateway.env';
import { CHANNELS_CONFIG, GATEWAY_ENV, RECORD_SINK, TOPIC_NAMES } from '../config/tokens';
import { ChannelErrorFilter } from '../http/channel-error.filter';
import { MetricsModule } from '../metrics/metrics.module';
import { GatewayStateModule } from '../state/gateway-state.module';
import { Global, Module } from '@nestjs/common';

/** A sink that never makes anything durable (Kafka down or too slow). */
class RefusingSink implements RecordSink {
  readonly attempts: OutboundRecord[] = [];
  readonly depth = { records: 0, bytes: 0, mode: 'direct' as const };
  publish(record: OutboundRecord): Promise<void> {
    this.attempts.push(record);
    return Promise.reject(new PublishTimeoutError(5));
  }
}

describe('when Kafka cannot take an item in time', () => {
  let app: NestFastifyApplication;
  const sink = new RefusingSink();

  beforeAll(async () => {
    const env = loadGatewayEnv({
      KAFKA_BROKERS: '127.0.0.1:1',
      TWILIO_AUTH_TOKEN: TEST_TWILIO_TOKEN,
      GATEWAY_STATE_DIR: mkdtempSync(join(tmpdir(), 'intake-not-durable-')),
    });
    @Global()
    @Module({
      providers: [
        { provide: GATEWAY_ENV, useValue: env },
        {
          provide: CHANNELS_CONFIG,
          useValue: parseChannelsConfig(readFileSync(repoPath('config/channels.yaml'), 'utf8')),
        },
        { provide: RECORD_SINK, useValue: sink },
        { provide: TOPIC_NAMES, useValue: topicNames('') },
      ],
      exports: [GATEWAY_ENV, CHANNELS_CONFIG, RECORD_SINK, TOPIC_NAMES],
    })
    class FakeCore {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        LoggerModule.forRoot({ pinoHttp: { level: 'silent' } }),
        FakeCore,
        GatewayStateModule,
        MetricsModule,
        ChannelsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ChannelErrorFilter }],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      rawBody: true,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers 503 with Retry-After and a machine-readable reason, never 2xx', async () => {
    const params = twilioInbound();
    const url = 'http://localhost:80/channels/sms/twilio';
    const res = await app.inject({
      method: 'POST',
      url: '/channels/sms/twilio',
      headers: {
        host: 'localhost:80',
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TEST_TWILIO_TOKEN, url, params),
      },
      payload: new URLSearchParams(params).toString(),
    });
    expect(sink.attempts).toHaveLength(1);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual({ error: { code: 'not-durable', message: expect.any(String) } });
  });
});
