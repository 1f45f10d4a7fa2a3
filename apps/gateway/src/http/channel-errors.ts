/**
 * Domain errors of the ingress path. Each carries the HTTP status and a stable, machine-readable
 * `code`; the exception filter renders them as `{ error: { code, message } }`.
 */
export abstract class ChannelError extends Error {
  abstract readonly status: number;
  abstract readonly retriable: boolean;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad or missing credentials / signature. */
export class ChannelAuthError extends ChannelError {
  readonly retriable = false;
  constructor(
    code: string,
    message: string,
    readonly status: 401 | 403 = 403,
  ) {
    super(code, message);
  }
}

/** The request as a whole is malformed (not one bad item among good ones). */
export class ChannelRequestError extends ChannelError {
  readonly retriable = false;
  constructor(
    code: string,
    message: string,
    readonly status: 400 | 404 | 413 | 415 | 422 = 400,
  ) {
    super(code, message);
  }
}

/** We could not make the item durable in time: the sender must retry (503 + Retry-After). */
export class NotDurableError extends ChannelError {
  readonly status = 503;
  readonly retriable = true;
  constructor(readonly retryAfterSeconds = 5) {
    super('not-durable', 'the petition could not be stored durably; retry later');
  }
}
