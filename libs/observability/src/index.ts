export { redactPii, redactDeep, redactError } from './redact-pii';
export { redactPath } from './redact-path';
export { createLogger, loggerOptions, REDACTED_PATHS } from './logger';
export { withDestination } from './http-logger';
export { withTimeout } from './with-timeout';
export { serveUntilSignalled, type ServeOptions } from './serve-until-signalled';
