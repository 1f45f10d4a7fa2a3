import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Starts a throwaway Kafka broker for the suite on its own port and data dir, so `npm test` never
 * touches a developer's running broker. Set TEST_KAFKA=off to run unit specs without a broker,
 * or TEST_KAFKA_BROKERS to use an existing one.
 */
export default function globalSetup(): void {
  if (process.env.TEST_KAFKA === 'off' || process.env.TEST_KAFKA_BROKERS) {
    if (process.env.TEST_KAFKA_BROKERS) process.env.KAFKA_BROKERS = process.env.TEST_KAFKA_BROKERS;
    return;
  }
  const root = join(__dirname, '..', '..');
  const port = process.env.TEST_KAFKA_PORT ?? '19092';
  const dataDir = join(root, '.cache', 'kafka', `test-${port}`);
  const env = { ...process.env, KAFKA_PORT: port, KAFKA_DATA_DIR: dataDir };
  // A fresh data dir per run: tests must not depend on what an earlier run left behind.
  execFileSync('bash', [join(root, 'scripts', 'kafka.sh'), 'stop'], { env, stdio: 'ignore' });
  rmSync(dataDir, { recursive: true, force: true });
  execFileSync('bash', [join(root, 'scripts', 'kafka.sh'), 'start'], { env, stdio: 'inherit' });
  process.env.KAFKA_BROKERS = `127.0.0.1:${port}`;
  process.env.TEST_KAFKA_STARTED = dataDir;
  // The mailbox page is tested in Debian's Chromium; installing it on a fresh machine can take
  // longer than any one test's timeout, so it happens here, once, before the suite.
  execFileSync('bash', [join(root, 'scripts', 'chromium.sh')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
