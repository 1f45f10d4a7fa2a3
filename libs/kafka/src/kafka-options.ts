import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import { kafkaLogLevel, type LogLevelName } from './kafka-log-level';

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  /** Log sink for kafkajs's own messages; payloads are never passed to it. */
  log?: (level: LogLevelName, message: string, extra: object) => void;
}

/** "host:port,host:port" → ["host:port", …]; rejects empty or malformed entries early. */
export function parseBrokers(list: string): string[] {
  const brokers = list
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is empty');
  for (const b of brokers) {
    if (!/^[A-Za-z0-9._[\]:-]+:\d{1,5}$/.test(b)) throw new Error(`invalid broker address: ${b}`);
  }
  return brokers;
}

export function createKafka(options: KafkaConnectionOptions): Kafka {
  const sink = options.log;
  const creator: logCreator = () => (entry: LogEntry) => {
    if (!sink) return;
    // kafkajs log entries carry broker/topic facts, not message values; keep only the safe fields.
    const { message, broker, topic, groupId, error, retryCount, retryTime } = entry.log as Record<
      string,
      unknown
    >;
    sink(
      kafkaLogLevel(entry.level, message, error),
      `kafkajs ${entry.namespace}: ${String(message)}`,
      {
        broker,
        topic,
        groupId,
        error,
        retryCount,
        retryTime,
      },
    );
  };
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator: creator,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 8 },
  });
}
