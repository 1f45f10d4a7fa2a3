import type { Params } from 'nestjs-pino';
import pino from 'pino';

/** pino-http options as LoggerModule.forRoot takes them without a destination. */
export type HttpLoggerOptions = Exclude<
  NonNullable<Params['pinoHttp']>,
  unknown[] | { write: unknown }
>;

/** pino-http options, with a file destination when LOG_FILE is set (stdout otherwise). */
export function withDestination(
  file: string | undefined,
  options: HttpLoggerOptions,
): Params['pinoHttp'] {
  return file ? [options, pino.destination({ dest: file, sync: true, mkdir: true })] : options;
}
