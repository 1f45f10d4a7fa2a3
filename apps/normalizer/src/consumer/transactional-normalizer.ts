import type {
  Consumer,
  EachBatchPayload,
  Kafka,
  KafkaMessage,
  Producer,
  TopicMessages,
  TopicOffsets,
  Transaction,
} from 'kafkajs';
import type { TopicNames } from '@app/contracts';
import type { OutboundRecord } from '@app/kafka';
import type { ProcessOutcome, RawRecordProcessor } from '../pipeline/raw-record-processor';
import type { ClaimStore } from '../state/claim-store';
import { CommitGroups } from './commit-groups';
import { wallClockMs, type BatchTiming } from './record-timing';
import { TRANSACTION_RETRY } from './transaction-retry';

/** starting → consuming (joined its group) → restarting (after a crash) → … → stopped. */
export type ConsumerState = 'starting' | 'consuming' | 'restarting' | 'stopped';

/** Batches failing in a row: the consumer is in its group, yet nothing gets through. */
export interface BatchFailure {
  since: Date;
  attempts: number;
  /** The newest error's name and message (infrastructure errors: no petition text). */
  reason: string;
}

export interface TransactionalNormalizerOptions {
  groupId: string;
  topics: TopicNames;
  transactionalId: string;
  log: (level: 'info' | 'warn' | 'error', message: string, extra?: object) => void;
  /**
   * After each committed batch: its outcomes, how long it took, and its records' Kafka timestamps
   * (ms) with the batch's stage times (metrics: how long after its ack an event is committed).
   */
  onCommitted?: (
    outcomes: readonly ProcessOutcome[],
    seconds: number,
    timing: { producedAt: number[]; stages: BatchTiming },
  ) => void;
  /** After each failed batch attempt (metrics); the batch is read again. */
  onBatchFailed?: () => void;
}

/**
 * Consume → transform → produce with Kafka transactions: the events of a batch and the batch's
 * consumer offsets are committed atomically, so a crash at any point either publishes a batch's
 * events with its offsets or neither. Consumers of petition.events.v1 that read with
 * isolation.level=read_committed see each petition's event once.
 */
export class TransactionalNormalizer {
  /** For the health check and the metrics (which count outcomes through onCommitted). */
  state: ConsumerState = 'starting';
  lastCommitAt: Date | null = null;
  /**
   * Per partition, while its newest batch attempt failed (a dedup store that answers pings but
   * cannot write, a producer that cannot commit): the consumer stays in its group and kafkajs
   * re-reads the batch, so the state alone would say all is well while nothing is published.
   * Cleared by that partition's next commit, or by a group join that assigns the partition
   * elsewhere. A join that keeps it here keeps its failure: kafkajs restarts the consumer after a
   * few failed retries of a batch, and a failure reset at every rejoin would say "1 attempt, since
   * just now" every few seconds of an outage that has lasted an hour.
   */
  private readonly failures = new Map<string, BatchFailure>();

  /** The longest-failing partition's failure, or null while every partition goes through. */
  get failing(): BatchFailure | null {
    let oldest: BatchFailure | null = null;
    for (const f of this.failures.values()) if (!oldest || f.since < oldest.since) oldest = f;
    return oldest;
  }
  private readonly consumer: Consumer;
  private producer: Producer;
  private readonly groups = new CommitGroups<GroupedBatch>((items) =>
    this.processAndCommitGroup(items),
  );
  private producerConnected: Promise<void> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly processor: RawRecordProcessor,
    private readonly claims: ClaimStore,
    private readonly options: TransactionalNormalizerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      // A killed normalizer's partitions wait for its session to expire before a successor gets
      // them: 10 s rather than kafkajs's 30 s default.
      sessionTimeout: 10000,
      heartbeatInterval: 2000,
      // A stopping consumer first waits for its fetch in flight, which an idle broker holds this
      // long (kafkajs: 5 s, most of a shutdown's 10 s). A busy one answers at once either way;
      // idle, it costs one more fetch a second.
      maxWaitTimeInMs: 1000,
    });
    this.producer = this.newProducer();
    // kafkajs restarts its consumer after retriable errors only; a broker that went away or a
    // group coordinator still loading can end in a "non-retriable" crash. A normalizer that
    // silently stops consuming loses nothing but delays everything, so it always comes back.
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.keepFailuresOf(payload.memberAssignment);
      if (!this.stopping) this.state = 'consuming';
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (this.stopping) return;
      this.state = 'restarting';
      if (payload.restart) return;
      this.options.log('warn', 'consumer crashed; restarting it', { err: payload.error });
      this.restartLater();
    });
  }

  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Between producer.transaction() and its commit or abort: what stop() aborts if it must. */
  private openTransaction: Transaction | undefined;

  /**
   * The timer is deliberately not unref'd: after a crash while the broker is down nothing else
   * may hold the event loop (the consumer has disconnected, the producer has no live socket),
   * and an unref'd timer would let the process exit quietly with code 0 instead of coming back.
   */
  private restartLater(): void {
    if (this.stopping) return;
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(
      () => void this.runConsumer().catch((e: unknown) => this.retryLater(e)),
      2000,
    );
  }

  private newProducer(): Producer {
    return this.kafka.producer({
      transactionalId: this.options.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: TRANSACTION_RETRY,
    });
  }

  private connectProducer(): Promise<void> {
    this.producerConnected ??= this.producer.connect().catch((error: unknown) => {
      this.producerConnected = undefined;
      throw error;
    });
    return this.producerConnected;
  }

  /**
   * A transaction whose abort failed (the broker was gone) leaves the kafkajs producer in state
   * ABORTING for good: every later `transaction()` throws and the normalizer would never publish
   * again. A new producer with the same transactional id fences the old epoch on connect, and the
   * coordinator aborts the open transaction, so its batch is simply re-read.
   */
  private async replaceProducer(): Promise<void> {
    const old = this.producer;
    this.producer = this.newProducer();
    this.producerConnected = undefined;
    await old.disconnect().catch(() => undefined);
  }

  async start(): Promise<void> {
    await this.connectProducer();
    await this.runConsumer();
  }

  private async runConsumer(): Promise<void> {
    if (this.stopping) return;
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.options.topics.raw], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Every partition's batch of a fetch at once, so that they are judged together and share
      // one transaction (see CommitGroups).
      partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  private retryLater(error: unknown): void {
    this.options.log('warn', 'consumer restart failed; trying again', { err: error });
    this.restartLater();
  }

  /**
   * Leaves the group after the batch in hand: kafkajs lets that batch finish (its transaction
   * commits with its offsets), then sends LeaveGroup, so its partitions move to another instance
   * at once rather than after the session timeout. Bounded by `timeoutMs`, for a shutdown within a
   * process manager's grace period: a batch that cannot finish by then (the broker is gone) has
   * its open transaction aborted, and is read again by whoever gets its partition. Were the abort
   * to fail too, the coordinator aborts it when the next producer with this transactional id
   * starts, or at the transaction timeout.
   */
  async stop(timeoutMs = 5000): Promise<void> {
    this.stopping = true;
    this.state = 'stopped';
    clearTimeout(this.restartTimer);
    if (!(await settlesWithin(this.consumer.disconnect(), timeoutMs))) {
      this.options.log('warn', 'batch in hand not finished at shutdown; aborting its transaction', {
        timeoutMs,
        transactionOpen: this.openTransaction !== undefined,
      });
      if (this.openTransaction) await settlesWithin(this.openTransaction.abort(), 1000);
    }
    await settlesWithin(this.producer.disconnect(), 1000);
  }

  /** Forgets the failures of partitions `assignment` (topic → partitions) does not hold. */
  private keepFailuresOf(assignment: Record<string, number[]> | undefined): void {
    for (const key of [...this.failures.keys()]) {
      const slash = key.lastIndexOf('/');
      const held = assignment?.[key.slice(0, slash)]?.includes(Number(key.slice(slash + 1)));
      if (!held) this.failures.delete(key);
    }
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const partition = `${payload.batch.topic}/${payload.batch.partition}`;
    try {
      if (await this.processAndCommit(payload)) this.failures.delete(partition);
    } catch (error) {
      const previous = this.failures.get(partition);
      this.failures.set(partition, {
        since: previous?.since ?? new Date(),
        attempts: (previous?.attempts ?? 0) + 1,
        reason: failureReason(error),
      });
      this.options.onBatchFailed?.();
      throw error;
    }
  }

  /** Whether a batch was committed (false: nothing to do, or the batch went stale). */
  private async processAndCommit(payload: EachBatchPayload): Promise<boolean> {
    const { batch } = payload;
    if (batch.messages.length === 0 || !payload.isRunning() || payload.isStale()) return false;
    const item: GroupedBatch = {
      payload,
      results: [],
      stale: false,
      timing: emptyTiming(wallClockMs()),
    };
    await this.groups.submit(item);
    if (item.stale) return false;
    payload.resolveOffset(lastOffset(batch));
    await payload.heartbeat();
    this.lastCommitAt = new Date();
    const seconds = (wallClockMs() - item.timing.handedAt) / 1000;
    this.options.onCommitted?.(item.results, seconds, {
      producedAt: batch.messages.map((m) => Number(m.timestamp)),
      stages: item.timing,
    });
    const deadLetters = item.results.filter((r) => r.kind === 'dead-letter').length;
    if (deadLetters > 0)
      this.options.log('warn', 'records dead-lettered', {
        count: deadLetters,
        partition: batch.partition,
      });
    return true;
  }

  /**
   * The batches of one fetch: judged together (one dedup-store commit), then one transaction for
   * their events and consumer offsets. A batch whose partition was revoked meanwhile is left out
   * of the transaction (its new owner reads it again).
   */
  private async processAndCommitGroup(items: GroupedBatch[]): Promise<void> {
    const start = wallClockMs();
    // Every stage but the hand-over, which is each batch's own.
    const t: Omit<BatchTiming, 'handedAt'> = {
      groupStartedAt: start,
      judgedAt: start,
      claimedAt: start,
      committedAt: start,
    };
    const records = items.flatMap(({ payload: { batch } }) =>
      batch.messages.map((message) => ({
        position: `${batch.topic}/${batch.partition}@${message.offset}`,
        value: message.value,
        headers: stringHeaders(message),
      })),
    );
    const outcomes = await this.processor.processBatch(records, new Date());
    t.judgedAt = wallClockMs();
    let at = 0;
    for (const item of items) {
      const n = item.payload.batch.messages.length;
      item.results = outcomes.slice(at, at + n);
      at += n;
      item.stale = item.payload.isStale();
    }
    const live = items.filter((b) => !b.stale);
    if (live.length === 0) return;
    // The claims are durable before the transaction commits: a crash in between leaves claims
    // owned by these very positions, which the re-read batch recognises as its own.
    await this.claims.flush();
    t.claimedAt = wallClockMs();
    await this.connectProducer();
    const txn = await this.producer.transaction();
    this.openTransaction = txn;
    try {
      // Several produce requests when the batches are large: one request holding a whole fetch's
      // events (each event carries the body twice) exceeds the broker's message.max.bytes, which
      // would fail the transaction on every re-read and stop the consumer for good.
      const out = live.flatMap((b) => b.results.flatMap((r) => r.out));
      for (const chunk of chunkByBytes(out, MAX_REQUEST_BYTES))
        await txn.sendBatch({ topicMessages: groupByTopic(chunk), acks: -1 });
      await txn.sendOffsets({ consumerGroupId: this.options.groupId, topics: nextOffsets(live) });
      await txn.commit();
      t.committedAt = wallClockMs();
      for (const b of live) Object.assign(b.timing, t);
    } catch (error) {
      const aborted = await txn.abort().then(
        () => true,
        () => false,
      );
      if (!aborted) await this.replaceProducer();
      this.options.log('warn', 'batch transaction aborted; its batches will be re-read', {
        err: error,
        partitions: live.map((b) => `${b.payload.batch.topic}/${b.payload.batch.partition}`),
      });
      throw error;
    } finally {
      this.openTransaction = undefined;
    }
  }
}

/** Whether `work` settled (either way) within `ms`; what it throws is the caller's log's to say. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    work.then(
      () => true,
      () => true,
    ),
    new Promise<false>((r) => (timer = setTimeout(() => r(false), ms))),
  ]);
  clearTimeout(timer);
  return settled;
}

/** One partition's batch in a group: its outcomes once the group is processed. */
interface GroupedBatch {
  payload: EachBatchPayload;
  results: ProcessOutcome[];
  /** Its partition was revoked before the commit: not published, not acknowledged. */
  stale: boolean;
  /** handedAt when kafkajs handed it over (also times the batch); the rest set once committed. */
  timing: BatchTiming;
}

function emptyTiming(at: number): BatchTiming {
  return { handedAt: at, groupStartedAt: at, judgedAt: at, claimedAt: at, committedAt: at };
}

/** A non-empty batch's last offset (empty batches never reach a group). */
function lastOffset(batch: EachBatchPayload['batch']): string {
  return (batch.messages[batch.messages.length - 1] as KafkaMessage).offset;
}

/** The offsets to commit: per batch, the one after its last record. */
function nextOffsets(batches: GroupedBatch[]): TopicOffsets[] {
  const byTopic = new Map<string, TopicOffsets>();
  for (const { payload } of batches) {
    const { topic, partition } = payload.batch;
    let entry = byTopic.get(topic);
    if (!entry) {
      entry = { topic, partitions: [] };
      byTopic.set(topic, entry);
    }
    entry.partitions.push({
      partition,
      offset: (BigInt(lastOffset(payload.batch)) + 1n).toString(),
    });
  }
  return [...byTopic.values()];
}

/** An error's name (unless plain Error) and message, at most 200 characters. */
export function failureReason(error: unknown): string {
  const text =
    error instanceof Error
      ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
      : String(error);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** Partitions whose batches kafkajs hands over together (more than a normalizer is assigned). */
const PARTITIONS_AT_ONCE = 64;

/**
 * Bytes of records per produce request: half the broker's default message.max.bytes (1 MiB), which
 * bounds each partition's record batch in a request, leaving room for batch and record overhead.
 */
const MAX_REQUEST_BYTES = 512 * 1024;

function recordBytes(r: OutboundRecord): number {
  let n = 64 + Buffer.byteLength(r.key) + Buffer.byteLength(r.value);
  for (const [k, v] of Object.entries(r.headers ?? {}))
    n += Buffer.byteLength(k) + Buffer.byteLength(v) + 8;
  return n;
}

/** Consecutive chunks of at most `maxBytes` (a larger single record goes alone). */
export function chunkByBytes(records: OutboundRecord[], maxBytes: number): OutboundRecord[][] {
  const chunks: OutboundRecord[][] = [];
  let current: OutboundRecord[] = [];
  let size = 0;
  for (const r of records) {
    const n = recordBytes(r);
    if (current.length > 0 && size + n > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(r);
    size += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function stringHeaders(message: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first.toString();
  }
  return out;
}

function groupByTopic(records: OutboundRecord[]): TopicMessages[] {
  const byTopic = new Map<string, TopicMessages>();
  for (const r of records) {
    let entry = byTopic.get(r.topic);
    if (!entry) {
      entry = { topic: r.topic, messages: [] };
      byTopic.set(r.topic, entry);
    }
    entry.messages.push({ key: r.key, value: r.value, headers: r.headers });
  }
  return [...byTopic.values()];
}
