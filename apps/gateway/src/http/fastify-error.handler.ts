import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { redactPath } from '@app/observability';
import { BodyParseError } from './body-parsers';
import type { EdgeLog } from './edge-hooks';

/**
 * Codes for the errors Fastify raises itself, before a Nest handler runs (body parsing, limits,
 * multipart): the sender gets the same `{ error: { code, message } }` as from every other refusal,
 * with a code that says what was wrong rather than Fastify's internal FST_* name.
 */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid-content-length',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_EMPTY_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid-json',
  FST_REQ_FILE_TOO_LARGE: 'payload-too-large',
  FST_PARTS_LIMIT: 'payload-too-large',
  FST_FILES_LIMIT: 'payload-too-large',
  FST_FIELDS_LIMIT: 'payload-too-large',
  FST_PROTO_VIOLATION: 'forbidden-field-name',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'unsupported-media-type',
  FST_MP_PREMATURE_CLOSE: 'invalid-multipart',
  FST_ERR_BAD_URL: 'bad-url',
};

const BY_STATUS: Record<number, string> = {
  400: 'bad-request',
  404: 'not-found',
  405: 'method-not-allowed',
  408: 'request-timeout',
  411: 'length-required',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  431: 'headers-too-large',
};

/** The status and body for an error Fastify raised; anything without a 4xx status is a 500. */
export function fastifyErrorResponse(error: Partial<FastifyError> & { status?: number }): {
  status: number;
  body: { error: { code: string; message: string } };
} {
  const status = error.statusCode ?? error.status;
  if (typeof status !== 'number' || status < 400 || status >= 500) {
    return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
  }
  if (error instanceof BodyParseError) {
    return { status, body: { error: { code: error.reason, message: error.message } } };
  }
  // A JSON syntax error from the parser's prototype guard or JSON.parse (status 400, no code).
  const code =
    (error.code && FASTIFY_CODES[error.code]) ??
    (error instanceof SyntaxError ? 'invalid-json' : (BY_STATUS[status] ?? 'bad-request'));
  return { status, body: { error: { code, message: error.message ?? 'bad request' } } };
}

/**
 * Fastify's error handler for what fails before Nest's exception filters can see it. Installed on
 * the Fastify instance before Nest registers its routes, so their encapsulated contexts inherit it.
 * Anything that is not a refusal is a bug: logged at error level, with its cause.
 */
export function createFastifyErrorHandler(log: EdgeLog) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const { status, body } = fastifyErrorResponse(error);
    const where = { method: request.method, path: redactPath(request.url) };
    // A refusal is logged once, with its route, by the edge's onResponse hook; a bug has a cause.
    if (status >= 500) log.error({ ...where, err: error }, 'unexpected error before the handler');
    void reply.status(status).send(body);
  };
}
