import pino, { type Logger, type LoggerOptions } from 'pino';
import { redactDeep, redactError, redactPii } from './redact-pii';

/** Field names that may hold personal data or secrets; pino removes them before serialising. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-twilio-signature"]',
  'req.headers["x-signature"]',
  'req.headers.cookie',
  '*.phone',
  '*.email',
  '*.name',
  '*.idNumber',
  '*.account',
  '*.authorId',
  '*.body',
  '*.text',
  '*.password',
  '*.secret',
  '*.token',
];

export function loggerOptions(
  name: string,
  level = process.env.LOG_LEVEL ?? 'info',
): LoggerOptions {
  return {
    name,
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: {
      // Every structured field and the message pass the PII patterns as well.
      log: (object) => redactDeep(object) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a: unknown) =>
          typeof a === 'string' ? redactPii(a) : a instanceof Error ? redactError(a) : a,
        ) as Parameters<typeof method>;
        method.apply(this, scrubbed);
      },
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

export function createLogger(name: string, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(name), destination) : pino(loggerOptions(name));
}
