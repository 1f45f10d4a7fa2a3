import type { RetryOptions } from 'kafkajs';

/**
 * The transactional producer's retry policy. The error it meets most is CONCURRENT_TRANSACTIONS:
 * the next batch's transaction asks to add its partitions while the coordinator is still writing
 * the previous commit's markers, which takes a few milliseconds. kafkajs waits initialRetryTime
 * (±20 %) and doubles from there, so the former 100 ms held each such batch ~100 ms (the Java
 * client backs off 20 ms for this error). `npm run bench`, section 'transactions', measures
 * back-to-back transactions with this policy against 100 ms in the same run.
 *
 * Retries never stop, as kafkajs requires of an idempotent producer (a bounded count can break its
 * exactly-once guarantees); maxRetryTime caps the wait between attempts while the broker is away.
 */
export const TRANSACTION_RETRY: RetryOptions = {
  initialRetryTime: 10,
  maxRetryTime: 2000,
  retries: Number.MAX_SAFE_INTEGER,
};
