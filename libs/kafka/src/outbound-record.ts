export interface OutboundRecord {
  topic: string;
  key: string;
  value: Buffer | string;
  headers?: Record<string, string>;
}

/** Resolves when the record is durable (acknowledged by all in-sync replicas). */
export interface RecordSink {
  publish(record: OutboundRecord, timeoutMs?: number): Promise<void>;
}
