import { fastifyErrorResponse } from './fastify-error.handler';

describe('fastifyErrorResponse', () => {
  const fst = (code: string, statusCode: number, message = 'm') =>
    Object.assign(new Error(message), { code, statusCode });

  it.each([
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'payload-too-large'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'unsupported-media-type'],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'invalid-json'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'invalid-json'],
    ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'invalid-content-length'],
    ['FST_REQ_FILE_TOO_LARGE', 413, 'payload-too-large'],
    ['FST_PROTO_VIOLATION', 403, 'forbidden-field-name'],
    ['FST_SOMETHING_NEW', 404, 'not-found'],
    ['FST_SOMETHING_NEW', 418, 'bad-request'],
  ])('%s (%i) → %s', (code, status, expected) => {
    expect(fastifyErrorResponse(fst(code, status))).toEqual({
      status,
      body: { error: { code: expected, message: 'm' } },
    });
  });

  it('names a prototype-poisoning JSON body invalid-json', () => {
    const error = Object.assign(new SyntaxError('Object contains forbidden prototype property'), {
      statusCode: 400,
    });
    expect(fastifyErrorResponse(error).body.error.code).toBe('invalid-json');
  });

  it('answers 500 without details for anything that is not a client error', () => {
    expect(fastifyErrorResponse(new Error('secret internals at /srv/x'))).toEqual({
      status: 500,
      body: { error: { code: 'internal', message: 'internal error' } },
    });
    expect(fastifyErrorResponse(fst('FST_X', 503)).status).toBe(500);
  });
});
