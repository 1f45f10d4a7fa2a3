import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { NormalizerEnv } from './config/normalizer.env';
import { NormalizerModule } from './normalizer.module';

/**
 * The Kafka loop, with GET /health and GET /metrics over Fastify for orchestrators and Prometheus.
 * `init()` starts the loop alone (tests); `listen()` also serves the two routes. Signals are
 * main.ts's (serveUntilSignalled), not Nest's: its hooks re-raise the signal (exit 143).
 */
export async function createNormalizerApp(env: NormalizerEnv): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    NormalizerModule.forEnv(env),
    new FastifyAdapter(),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  return app;
}
