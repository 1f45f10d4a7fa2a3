import type { FastifyRequest } from 'fastify';
import type { GatewayEnv } from '../config/gateway.env';
import type { InboundRequest } from '../channels/channel-adapter';

/** The request as adapters see it, the same for the generic ingress and the
 * channels with controllers of their own. */
export function toInbound(req: FastifyRequest, env: GatewayEnv): InboundRequest {
  return {
    method: req.method,
    path: req.url,
    publicBaseUrl: env.PUBLIC_BASE_URL?.replace(/\/+$/, '') ?? `${req.protocol}://${req.host}`,
    headers: req.headers,
    rawBody: (req as FastifyRequest & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0),
    body: req.body,
    clientIp: req.ip,
  };
}
