import type { FastifyReply, FastifyRequest } from 'fastify';

/** What one refused request leaves behind: a log line and a count, both without personal data. */
export interface Refusal {
  route: string;
  status: number;
  code: string;
  reason: string | null;
}

/**
 * The route a refusal is counted under: the matched route's template (`/mailbox/:id`), or for the
 * generic ingress the channel path it served; `unmatched` for paths no route knows, so a sender
 * cannot grow the metric's label set.
 */
export function routeLabel(req: FastifyRequest, status: number): string {
  const template = req.routeOptions?.url;
  if (!template) return 'unmatched';
  if (template.includes('*')) {
    const path = req.url.split('?', 1)[0] ?? '';
    return status !== 404 && /^\/channels\/[a-z0-9/-]{1,40}$/.test(path) ? path : template;
  }
  return template;
}

/**
 * Reads our error body's code and reason (`{ error: { code, reason? } }`) from the payload about
 * to be sent; pages and other bodies give `http-<status>`. Only small bodies are read.
 */
export function refusalOf(
  req: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Refusal | null {
  const status = reply.statusCode;
  if (status < 400) return null;
  let code = `http-${status}`;
  let reason: string | null = null;
  const text =
    typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString() : null;
  if (text && text.length < 16_384 && text.startsWith('{"error"')) {
    try {
      const error = (JSON.parse(text) as { error?: { code?: unknown; reason?: unknown } }).error;
      if (typeof error?.code === 'string') code = error.code.slice(0, 64);
      if (typeof error?.reason === 'string') reason = error.reason.slice(0, 64);
    } catch {
      // Not our format after all: the status says enough.
    }
  }
  return { route: routeLabel(req, status), status, code, reason };
}
