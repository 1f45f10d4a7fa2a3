import { logLevel } from 'kafkajs';

export type LogLevelName = 'error' | 'warn' | 'info' | 'debug';

interface BrokerErrorCode {
  message: string;
  retriable: boolean;
}

// kafkajs's own table of broker error codes, the one it decides retries by. Not part of its typed
// API, but kafkajs has no "exports" map and this table has been stable since 1.x; a spec pins the
// entries we rely on, so an upgrade that moves it fails there, not silently.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
const { errorCodes } = require('kafkajs/src/protocol/error') as { errorCodes: BrokerErrorCode[] };

/** Messages of the broker errors kafkajs retries by itself (coordinator loading, rebalancing…). */
const RETRIABLE_MESSAGES = errorCodes.filter((e) => e.retriable).map((e) => e.message);

const LEVELS: Record<number, LogLevelName> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

const SEND_RETRY = 'Failed to send messages: ';

/**
 * The level a kafkajs log entry is written at. kafkajs logs every broker error response at
 * ERROR, also those it is about to retry: "The coordinator is loading" at every start, "another
 * concurrent operation on the same transaction" between two transactions. Those are warnings;
 * an error is what fails after kafkajs's retries, and that reaches our own code, which logs it.
 * So a response or send-retry entry about a retriable broker error becomes WARN; connection
 * failures, non-retriable errors and crashes stay ERROR.
 */
export function kafkaLogLevel(level: number, message: unknown, error: unknown): LogLevelName {
  const name = LEVELS[level] ?? 'info';
  if (name !== 'error' || typeof message !== 'string') return name;
  // Only the two entries written before a retry: a crash after the last retry stays an error
  // whatever the broker said.
  const text = message.startsWith('Response ')
    ? error
    : message.startsWith(SEND_RETRY)
      ? message.slice(SEND_RETRY.length)
      : undefined;
  return typeof text === 'string' && RETRIABLE_MESSAGES.includes(text) ? 'warn' : 'error';
}
