import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { GatewayEnv } from './config/gateway.env';
import { GatewayModule } from './gateway.module';
import { fastifyErrorHandler } from './http/fastify-error.handler';

/** Builds the gateway (used by main.ts and by end-to-end tests, which pass their own env). */
export async function createGatewayApp(env: GatewayEnv): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    // Fastify refuses a larger body with 413 from Content-Length or while streaming, before
    // buffering it whole.
    bodyLimit: env.BODY_LIMIT_BYTES,
    trustProxy: env.TRUST_PROXY === 'true',
    // Errors of the router itself (a malformed percent-encoding in the path) in our format too.
    frameworkErrors: fastifyErrorHandler,
  });
  // Before Nest registers its routes: their encapsulated contexts inherit this handler, so body
  // parsing errors (bad JSON, wrong type, too large) answer in our error format too.
  adapter.getInstance().setErrorHandler(fastifyErrorHandler);
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forEnv(env), adapter, {
    rawBody: true,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  return app;
}
