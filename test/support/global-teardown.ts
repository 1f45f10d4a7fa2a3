import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function globalTeardown(): void {
  const dataDir = process.env.TEST_KAFKA_STARTED;
  if (!dataDir) return;
  const port = process.env.TEST_KAFKA_PORT ?? '19092';
  execFileSync('bash', [join(__dirname, '..', '..', 'scripts', 'kafka.sh'), 'stop'], {
    env: { ...process.env, KAFKA_PORT: port, KAFKA_DATA_DIR: dataDir },
    stdio: 'inherit',
  });
}
