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
