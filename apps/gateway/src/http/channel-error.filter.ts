import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { redactPath } from '@app/observability';
import { ChannelError, NotDurableError } from './channel-errors';

/**
 * Renders domain errors and framework HTTP errors as `{ error: { code, message } }`. What is not
 * a domain or HTTP error is a bug: 500, logged at error level with its cause (it was logged at
 * info, without one).
 */
@Catch()
export class ChannelErrorFilter implements ExceptionFilter {
  constructor(private readonly log: PinoLogger) {
    log.setContext(ChannelErrorFilter.name);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof ChannelError) {
      if (exception instanceof NotDurableError) {
        void reply.header('Retry-After', String(exception.retryAfterSeconds));
      }
      void reply
        .status(exception.status)
        .send({ error: { code: exception.code, message: exception.message } });
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      // Terminus answers 503 with the full health report: keep it, an operator needs the details.
      if (typeof body === 'object' && body !== null && 'details' in body) {
        void reply.status(status).send(body);
        return;
      }
      void reply
        .status(status)
        .send({ error: { code: httpCode(status), message: exception.message } });
      return;
    }
    // Fastify's own errors (body too large, bad JSON, wrong content type) carry a statusCode.
    const e = exception as { statusCode?: number; code?: string; message?: string };
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      void reply
        .status(e.statusCode)
        .send({ error: { code: httpCode(e.statusCode), message: e.message ?? 'bad request' } });
      return;
    }
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    this.log.error(
      { err: exception, method: request.method, path: redactPath(request.url) },
      'unexpected error in a handler',
    );
    void reply.status(500).send({ error: { code: 'internal', message: 'internal error' } });
  }
}

function httpCode(status: number): string {
  switch (status) {
    case 400:
      return 'bad-request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 405:
      return 'method-not-allowed';
    case 413:
      return 'payload-too-large';
    case 415:
      return 'unsupported-media-type';
    case 429:
      return 'rate-limited';
    default:
      return status >= 500 ? 'internal' : 'bad-request';
  }
}
