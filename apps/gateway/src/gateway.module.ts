import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { loggerOptions, redactPath, withDestination } from '@app/observability';
import { AdminModule } from './admin/admin.module';
import { ChannelsModule } from './channels/channels.module';
import { CoreModule } from './config/core.module';
import type { GatewayEnv } from './config/gateway.env';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { GatewayStateModule } from './state/gateway-state.module';
import { ChannelErrorFilter } from './http/channel-error.filter';

@Module({})
export class GatewayModule {
  static forEnv(env: GatewayEnv): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: withDestination(env.LOG_FILE, {
            ...loggerOptions('gateway', env.LOG_LEVEL),
            // The correlation id travels on to Kafka as a header; a sender may supply its own.
            genReqId: (req: IncomingMessage) => {
              const given = req.headers['x-request-id'];
              return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given)
                ? given
                : randomUUID();
            },
            // Never bodies, never query strings (they may carry personal data), never auth headers.
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({
                id: req.id,
                method: req.method,
                // Serialised after pino's log formatter, so the PII patterns are applied here:
                // a path can carry a phone number or a name, percent-encoded or not.
                path: redactPath(req.url),
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          }),
        }),
        CoreModule.forEnv(env),
        GatewayStateModule,
        MetricsModule,
        HealthModule,
        AdminModule,
        ChannelsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ChannelErrorFilter }],
    };
  }
}
