import type { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import type { OutboundRecord, RecordSink } from './outbound-record';
import { PublishTimeoutError, PublisherClosedError } from './publish-errors';

interface Pending {
  record: OutboundRecord;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
  settled: boolean;
}

export interface BatchingPublisherOptions {
  /** Default time a caller waits for the acknowledgement before getting PublishTimeoutError. */
  timeoutMs: number;
  /** Upper bound of records in one produce request. */
  maxBatch: number;
  /**
   * Upper bound of record bytes in one produce request (default 512 KiB, half the broker's default
   * message.max.bytes, which bounds each partition's record batch). A larger single record goes
   * alone.
   */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 512 * 1024;

/**
 * An idempotent, acks=all producer that turns many concurrent `publish` calls into few produce
 * requests: while one request is in flight the next batch accumulates. One request at a time keeps
 * per-partition order (the idempotent producer's sequence numbers) simple and, under load, gives
 * large batches for free; at low load a record is sent at once.
 */
export class BatchingPublisher implements RecordSink {
  private readonly producer: Producer;
  private queue: Pending[] = [];
  private inFlight = false;
  /** The batch of the send in flight (close() may have to give up on it). */
  private sending: Pending[] = [];
  private closed = false;
  private connected: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly options: BatchingPublisherOptions = { timeoutMs: 5000, maxBatch: 2000 },
  ) {
    // The idempotent producer retries without limit (a bounded retry count can break its ordering
    // guarantee); callers are protected by their own timeout instead.
    this.producer = kafka.producer({
      idempotent: true,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: Number.MAX_SAFE_INTEGER },
    });
  }

  async connect(): Promise<void> {
    this.connected ??= this.producer.connect();
    await this.connected;
  }

  publish(record: OutboundRecord, timeoutMs = this.options.timeoutMs): Promise<void> {
    if (this.closed) return Promise.reject(new PublisherClosedError());
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { record, resolve, reject, timer: undefined, settled: false };
      pending.timer = setTimeout(
        () => this.settle(pending, new PublishTimeoutError(timeoutMs)),
        timeoutMs,
      );
      this.queue.push(pending);
      this.pump();
    });
  }

  get depth(): number {
    return this.queue.length;
  }

  /**
   * Takes no more records, waits up to `drainMs` for the ones taken, then disconnects. Bounded,
   * because with the broker gone the producer retries a send forever (see the constructor) and a
   * shutdown must end within a process manager's grace period. A record still queued or being
   * sent then is rejected, as at its timeout: its caller keeps it in the spool for the next start
   * (should the send still land, the normalizer drops the second copy as a replay).
   */
  async close(drainMs = 2000, disconnectMs = 1000): Promise<void> {
    this.closed = true;
    const until = Date.now() + drainMs;
    while ((this.inFlight || this.queue.length > 0) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 10));
    for (const p of [...this.sending, ...this.queue]) this.settle(p, new PublisherClosedError());
    this.queue = [];
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.producer.disconnect().catch(() => undefined),
      new Promise((r) => (timer = setTimeout(r, disconnectMs))),
    ]);
    clearTimeout(timer);
  }

  private settle(p: Pending, error?: Error): void {
    if (p.settled) return;
    p.settled = true;
    clearTimeout(p.timer);
    if (error) p.reject(error);
    else p.resolve();
  }

  private pump(): void {
    if (this.inFlight) return;
    // Records whose caller already gave up are not sent: the caller was told "not durable".
    this.queue = this.queue.filter((p) => !p.settled);
    if (this.queue.length === 0) return;
    const maxBytes = this.options.maxBytes ?? DEFAULT_MAX_BYTES;
    let take = 0;
    let bytes = 0;
    while (take < this.queue.length && take < this.options.maxBatch) {
      const size = recordBytes((this.queue[take] as Pending).record);
      if (take > 0 && bytes + size > maxBytes) break;
      bytes += size;
      take++;
    }
    const batch = this.queue.splice(0, take);
    this.inFlight = true;
    this.sending = batch;
    void this.send(batch).finally(() => {
      this.inFlight = false;
      this.sending = [];
      this.pump();
    });
  }

  private async send(batch: Pending[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const p of batch) {
      const list = byTopic.get(p.record.topic) ?? [];
      list.push({ key: p.record.key, value: p.record.value, headers: p.record.headers });
      byTopic.set(p.record.topic, list);
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({
      topic,
      messages,
    }));
    try {
      await this.connect();
      await this.producer.sendBatch({ topicMessages, acks: -1 });
      for (const p of batch) this.settle(p);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      for (const p of batch) this.settle(p, e);
      // A failed connect must not stay cached: the next batch tries again.
      this.connected = undefined;
    }
  }
}

function recordBytes(r: OutboundRecord): number {
  let n = 64 + Buffer.byteLength(r.key) + Buffer.byteLength(r.value);
  for (const [k, v] of Object.entries(r.headers ?? {}))
    n += Buffer.byteLength(k) + Buffer.byteLength(v) + 8;
  return n;
}
