import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The V8 flags the normalizer runs with (config/normalizer.node-flags, read by scripts/start.sh
 * too), so benchmarks and the quality script measure the process as it is deployed.
 */
export function normalizerNodeFlags(): string[] {
  return readFileSync(join(__dirname, '..', '..', 'config/normalizer.node-flags'), 'utf8')
    .trim()
    .split(/\s+/);
}

/**
 * The niceness `npm start` gives the normalizer when it shares a host with the gateway
 * (config/normalizer.nice; NORMALIZER_NICE overrides it there): under CPU contention the gateway's
 * ack path goes first, and the normalizer, which nobody waits on synchronously, takes the delay.
 */
export function normalizerNice(): number {
  const n = Number(
    readFileSync(join(__dirname, '..', '..', 'config/normalizer.nice'), 'utf8').trim(),
  );
  if (!Number.isInteger(n) || n < 0 || n > 19) throw new Error('config/normalizer.nice: 0–19');
  return n;
}
