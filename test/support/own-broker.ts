import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from './repo-path';

/** A broker of the test's own, on its own port, that the test may stop and start (fault tests). */
export class OwnBroker {
  readonly dataDir: string;

  constructor(readonly port: number) {
    this.dataDir = repoPath('.cache', 'kafka', `own-${port}`);
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  start(): void {
    this.run('start');
  }

  stop(): void {
    this.run('stop');
  }

  /** Stops it and removes its data. */
  destroy(): void {
    this.run('stop');
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private run(command: 'start' | 'stop'): void {
    execFileSync('bash', [join(repoPath('scripts'), 'kafka.sh'), command], {
      env: {
        ...process.env,
        KAFKA_PORT: String(this.port),
        KAFKA_DATA_DIR: this.dataDir,
        KAFKA_HEAP_OPTS: '-Xms128m -Xmx512m',
      },
      stdio: 'ignore',
    });
  }
}
