import type { OutboundRecord, RecordSink } from '../outbound-record';
import { DiskSpool } from './disk-spool';
import { SpoolFullError } from './spool-errors';

export interface SpoolingSinkOptions {
  dir: string;
  /** How long a direct publish may take before the item goes to the spool instead. */
  directTimeoutMs: number;
  /** Bytes waiting in the spool beyond which new items are refused (503). */
  maxBytes: number;
  /** Records per relay batch. */
  relayBatch: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, extra?: object) => void;
}

interface SpooledRecord {
  t: string;
  k: string;
  v: string;
  h?: Record<string, string>;
}

/**
 * Kafka first, the local spool when Kafka is down or slow. An item is acknowledged once Kafka
 * has it, or once it is fsync'd in the spool. While anything is spooled, every new item goes to
 * the spool too, behind it, so per-key order holds; a relay drains the spool to Kafka in order
 * and removes only what Kafka acknowledged. A record that went out directly but too late, and was
 * spooled as well, reaches Kafka twice with the same idempotency key: the normalizer's replay
 * check drops the second.
 */
export class SpoolingSink implements RecordSink {
  private readonly spool: DiskSpool;
  private mode: 'direct' | 'spool' = 'direct';
  private relaying = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  /** Appends not yet on disk: the relay must not declare the spool drained while any is in flight. */
  private appending = 0;

  constructor(
    private readonly kafka: RecordSink,
    private readonly options: SpoolingSinkOptions,
  ) {
    this.spool = new DiskSpool(options.dir);
  }

  /** Opens the spool (refusing to start if its directory is not writable) and drains leftovers. */
  start(): void {
    this.spool.open();
    if (this.spool.depth.records > 0) {
      this.mode = 'spool';
      this.options.log?.(
        'warn',
        'spool has items from before the restart; relaying',
        this.spool.depth,
      );
    }
    this.timer = setInterval(() => void this.relay(), 200);
    this.timer.unref();
  }

  get depth(): { records: number; bytes: number; mode: 'direct' | 'spool' } {
    return { ...this.spool.depth, mode: this.mode };
  }

  async publish(record: OutboundRecord): Promise<void> {
    if (this.mode === 'direct') {
      try {
        await this.kafka.publish(record, this.options.directTimeoutMs);
        return;
      } catch (error) {
        if (this.mode === 'direct') {
          this.mode = 'spool';
          this.options.log?.('warn', 'Kafka unavailable or slow: spooling to disk', { err: error });
        }
      }
    }
    await this.toSpool(record);
    void this.relay();
  }

  /**
   * Stops relaying and closes the spool once the appends in flight are on disk. What is spooled
   * stays there (each item was fsync'd before it was acknowledged) and is relayed at the next
   * start. A relay batch still out after `relayWaitMs` is left to finish or fail on its own: with
   * Kafka away it would wait 30 s, longer than a shutdown may take, and a batch Kafka did get
   * but the cursor does not show is relayed again and dropped downstream as a replay.
   */
  async close(relayWaitMs = 1000): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const until = Date.now() + relayWaitMs;
    while (this.relaying && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    // Appends finish within one fdatasync; an acknowledged item is never cut off.
    while (this.appending > 0) await new Promise((r) => setTimeout(r, 5));
    this.spool.close();
  }

  private async toSpool(record: OutboundRecord): Promise<void> {
    const { bytes } = this.spool.depth;
    if (bytes >= this.options.maxBytes) throw new SpoolFullError(bytes);
    const entry: SpooledRecord = {
      t: record.topic,
      k: record.key,
      v: Buffer.isBuffer(record.value) ? record.value.toString('utf8') : record.value,
      h: record.headers,
    };
    this.appending++;
    try {
      await this.spool.append(Buffer.from(JSON.stringify(entry)));
    } finally {
      this.appending--;
    }
  }

  /** Drains the spool in order; on the first failure it waits for the next tick. */
  private async relay(): Promise<void> {
    if (this.relaying || this.stopped) return;
    if (this.mode === 'direct' && this.spool.depth.records === 0) return;
    this.relaying = true;
    try {
      for (;;) {
        const batch = this.spool.peek(this.options.relayBatch);
        if (batch.length === 0) {
          if (this.appending > 0) return;
          this.mode = 'direct';
          this.options.log?.('info', 'spool drained; publishing directly again');
          return;
        }
        const records = batch.map((b) => JSON.parse(b.toString('utf8')) as SpooledRecord);
        // Concurrent publishes of one batch still leave the producer in order: it sends them in
        // the order they were queued, one request at a time.
        await Promise.all(
          records.map((r) =>
            this.kafka.publish({ topic: r.t, key: r.k, value: r.v, headers: r.h }, 30000),
          ),
        );
        this.spool.ack(batch.length);
        if (this.stopped) return;
      }
    } catch (error) {
      this.options.log?.('warn', 'relay could not reach Kafka; will retry', { err: error });
    } finally {
      this.relaying = false;
    }
  }
}
