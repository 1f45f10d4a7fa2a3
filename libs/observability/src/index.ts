export { redactPii, redactDeep, redactError } from './redact-pii';
export { redactPath } from './redact-path';
export { createLogger, loggerOptions, REDACTED_PATHS } from './logger';
export { withDestination } from './http-logger';
export { withTimeout } from './with-timeout';
export { drainHttpServer, exitGracefullyOnSignals, type ShutdownStep } from './graceful-shutdown';
