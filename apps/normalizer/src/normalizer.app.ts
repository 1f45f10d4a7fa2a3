import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import type { NormalizerEnv } from './config/normalizer.env';
import { NormalizerModule } from './normalizer.module';

/** The normalizer has no HTTP surface: a standalone Nest context around the Kafka loop. */
export async function createNormalizerApp(env: NormalizerEnv): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(NormalizerModule.forEnv(env), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  return app;
}
