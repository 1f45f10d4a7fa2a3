/**
 * Where the time goes between a raw record reaching Kafka and its event being committed, for the
 * metrics. Wall-clock milliseconds (Date.now() scale, sub-millisecond via performance.now()), so
 * they can be compared with the records' Kafka timestamps, which the gateway's producer sets when
 * it sends (CreateTime): a record's timestamp is, within the produce round trip, its sender's ack.
 */
export interface BatchTiming {
  /** kafkajs handed the batch to the normalizer. */
  handedAt: number;
  /** Its group started: the previous group has committed. */
  groupStartedAt: number;
  /** The group's records are judged (dedup store committed). */
  judgedAt: number;
  /** The replay claims are durable. */
  claimedAt: number;
  /** The transaction with the events and offsets has committed. */
  committedAt: number;
}

/** A record's wait, split into consecutive stages that add up to `total`. */
export const RECORD_STAGES = ['fetch', 'queue', 'judge', 'claims', 'transaction'] as const;
export type RecordStage = (typeof RECORD_STAGES)[number];

export type RecordSplit = Record<RecordStage | 'total', number>;

export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Seconds per stage for a record produced at `producedAt` (ms). `fetch` is produced → handed
 * over; it is 0, not negative, when the producer's clock runs ahead of this host's (another
 * machine), and `total` is then the sum of the later stages.
 */
export function splitRecord(producedAt: number, t: BatchTiming): RecordSplit {
  const fetch = Math.max(0, t.handedAt - producedAt);
  const split = {
    fetch,
    queue: t.groupStartedAt - t.handedAt,
    judge: t.judgedAt - t.groupStartedAt,
    claims: t.claimedAt - t.judgedAt,
    transaction: t.committedAt - t.claimedAt,
    total: fetch + (t.committedAt - t.handedAt),
  };
  for (const k of Object.keys(split) as (keyof RecordSplit)[]) split[k] = split[k] / 1000;
  return split;
}
