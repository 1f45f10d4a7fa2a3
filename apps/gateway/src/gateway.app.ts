import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import type { GatewayEnv } from './config/gateway.env';
import { GatewayModule } from './gateway.module';
import { parseFormBody, parseJsonBody } from './http/body-parsers';
import { clientErrorHandler, refuseConnect } from './http/client-errors';
import { installEdgeHooks, type EdgeLog } from './http/edge-hooks';
import { createFastifyErrorHandler } from './http/fastify-error.handler';
import { trustProxyOption } from './http/trust-proxy';
import { GatewayMetrics } from './metrics/gateway.metrics';
import { GATEWAY_STATE, type GatewayState } from './state/gateway-state.port';

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
  // Hooks and handlers are installed before Nest exists; they log through it once it does.
  const edgeLog: { current: EdgeLog | null } = { current: null };
  const log: EdgeLog = {
    warn: (fields, message) => edgeLog.current?.warn(fields, message),
    error: (fields, message) => edgeLog.current?.error(fields, message),
  };
  const fastifyErrorHandler = createFastifyErrorHandler(log);
  const adapter = new GatewayFastifyAdapter({
    // Fastify refuses a larger body with 413 from Content-Length or while streaming, before
    // buffering it whole.
    bodyLimit: env.BODY_LIMIT_BYTES,
    trustProxy: trustProxyOption(env.TRUST_PROXY),
    // Slow senders are cut off with 408 (100 sockets trickling bodies were still open at 150 s).
    requestTimeout: env.REQUEST_TIMEOUT_MS,
    connectionTimeout: env.IDLE_TIMEOUT_MS,
    http: {
      headersTimeout: env.HEADERS_TIMEOUT_MS,
      // Node looks for expired requests only this often (30 s by default).
      connectionsCheckingInterval: 1000,
    },
    clientErrorHandler,
    // Errors of the router itself (a malformed percent-encoding in the path) in our format too.
    frameworkErrors: fastifyErrorHandler,
  });
  const fastify = adapter.getInstance();
  if (env.MAX_CONNECTIONS > 0) fastify.server.maxConnections = env.MAX_CONNECTIONS;
  refuseConnect(fastify.server);
  // Before Nest registers its routes: their encapsulated contexts inherit this handler, so body
  // parsing errors (bad JSON, wrong type, too large) answer in our error format too.
  fastify.setErrorHandler(fastifyErrorHandler);
  registerBodyParsers(adapter);
  let state: GatewayState | null = null;
  let metrics: GatewayMetrics | null = null;
  installEdgeHooks(
    fastify,
    env,
    log,
    () => {
      if (!state) throw new Error('gateway state used before the app was created');
      return state;
    },
    (r) => metrics?.refusals.inc({ route: r.route, code: r.code }),
  );
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forEnv(env), adapter, {
    rawBody: true,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  state = app.get<GatewayState>(GATEWAY_STATE);
  metrics = app.get(GatewayMetrics);
  const pino = await app.resolve(PinoLogger);
  pino.setContext('Edge');
  edgeLog.current = pino;
  if (!env.PUBLIC_BASE_URL && !isLoopback(env.HOST)) {
    pino.warn(
      { host: env.HOST },
      'PUBLIC_BASE_URL is not set: Twilio signatures are checked against whatever Host the ' +
        'request names, so a request signed for any host is accepted; set it to the public URL',
    );
  }
  app.enableShutdownHooks();
  return app;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
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
