import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { GatewayEnv } from './config/gateway.env';
import { GatewayModule } from './gateway.module';
import { parseFormBody, parseJsonBody } from './http/body-parsers';
import { fastifyErrorHandler } from './http/fastify-error.handler';

/**
 * Fastify captures a route's error handler when the route is registered. Ours is set before Nest
 * registers its routes, so they use it; Nest sets its own on the root afterwards, which reaches no
 * route of ours and only made Fastify warn (FSTWRN004) at every start. That second call is
 * ignored. Errors inside Nest's handlers never get here: its exception filters answer them.
 */
class GatewayFastifyAdapter extends FastifyAdapter {
  override setErrorHandler(): ReturnType<FastifyAdapter['setErrorHandler']> {
    // Ours is installed in createGatewayApp, before the routes.
    return this.getInstance();
  }
}

/** Builds the gateway (used by main.ts and by end-to-end tests, which pass their own env). */
export async function createGatewayApp(env: GatewayEnv): Promise<NestFastifyApplication> {
  const adapter = new GatewayFastifyAdapter({
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
  registerBodyParsers(adapter);
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forEnv(env), adapter, {
    rawBody: true,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  return app;
}

/**
 * Our parsers instead of Nest's (registered first, so Nest keeps them). Nest's JSON parser is
 * Fastify's secure-json-parse: a `__proto__` key anywhere failed a whole batch, integers beyond
 * 2^53 lost digits, and nothing bounded depth or keys; its form parser bounds no field count.
 * Both keep the raw bytes on the request: signatures are computed over them.
 */
function registerBodyParsers(adapter: FastifyAdapter): void {
  const using =
    (parse: (text: string) => unknown) =>
    (_req: unknown, body: Buffer, done: (error: Error | null, value?: unknown) => void) => {
      let value: unknown;
      try {
        value = parse(body.toString('utf8'));
      } catch (error) {
        done(error as Error);
        return;
      }
      done(null, value);
    };
  adapter.useBodyParser('application/json', true, undefined, using(parseJsonBody));
  adapter.useBodyParser('application/x-www-form-urlencoded', true, undefined, using(parseFormBody));
}
