import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { redactPath } from '@app/observability';
import type { GatewayEnv } from '../config/gateway.env';
import type { GatewayState } from '../state/gateway-state.port';
import { AuthFailureThrottle, isAuthenticatedRoute } from './auth-failure.throttle';
import { refusalOf, type Refusal } from './refusal-record';

/** The few log calls the edge makes, before and after Nest's logger exists. */
export interface EdgeLog {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Counts each refusal (Prometheus, by route and code). */
export type CountRefusal = (refusal: Refusal) => void;

const REFUSAL = Symbol('refusal');
type WithRefusal = FastifyRequest & { [REFUSAL]?: Refusal | null };

const ADMIN_PATHS = new Set(['/metrics', '/health']);

/**
 * What every request meets before any route: headers old browsers need to refuse framing, the
 * operators' endpoints hidden when they have a port of their own, and the failed-authentication
 * throttle. Installed on the root instance before Nest registers its routes, so all inherit them.
 */
export function installEdgeHooks(
  fastify: FastifyInstance,
  env: GatewayEnv,
  log: EdgeLog,
  state: () => GatewayState,
  count: CountRefusal,
): void {
  const throttle = new AuthFailureThrottle(
    state,
    env.AUTH_FAILURE_BURST,
    env.AUTH_FAILURE_PER_HOUR,
  );
  const adminElsewhere = env.ADMIN_PORT !== undefined;

  fastify.addHook('onRequest', async (req, reply) => {
    // CSP frame-ancestors covers current browsers; X-Frame-Options the old ones.
    void reply.header('x-frame-options', 'DENY').header('x-content-type-options', 'nosniff');
    const path = req.url.split('?', 1)[0]!.replace(/\/+$/, '') || '/';
    if (adminElsewhere && ADMIN_PATHS.has(path)) {
      return refuse(reply, 404, { code: 'not-found', message: 'not found' });
    }
    if (!isAuthenticatedRoute(path)) return;
    const decision = await throttle.check(req.ip);
    if (decision.allowed) return;
    const reason = 'too-many-failed-authentications';
    void reply.header('retry-after', String(decision.retryAfterSeconds));
    return refuse(reply, 429, {
      code: 'rate-limited',
      reason,
      retryAfterSeconds: decision.retryAfterSeconds,
      message: 'too many failed authentications from this address; retry later',
    });
  });

  // Every refusal on every route, whoever answered it (a channel, Nest's filter, Fastify's handler,
  // the hooks above): one log line with route, status, code and reason, and one count.
  fastify.addHook('onSend', async (req, reply, payload) => {
    (req as WithRefusal)[REFUSAL] = refusalOf(req, reply, payload);
    return payload;
  });

  fastify.addHook('onResponse', async (req, reply) => {
    const refusal = (req as WithRefusal)[REFUSAL];
    if (refusal) {
      count(refusal);
      const fields = { ...refusal, path: redactPath(req.url) };
      if (refusal.status >= 500 && refusal.status !== 503) log.error(fields, 'request failed');
      else log.warn(fields, 'request refused');
    }
    const failed = reply.statusCode === 401 || reply.statusCode === 403;
    if (failed && isAuthenticatedRoute(req.url)) {
      await throttle.recordFailure(req.ip).catch((error: unknown) => {
        log.warn({ err: error }, 'could not record a failed authentication');
      });
    }
  });
}

function refuse(reply: FastifyReply, status: number, error: Record<string, unknown>): FastifyReply {
  return reply.status(status).send({ error });
}
