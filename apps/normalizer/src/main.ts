import 'reflect-metadata';
import { PinoLogger } from 'nestjs-pino';
import { drainHttpServer, exitGracefullyOnSignals } from '@app/observability';
import { loadNormalizerEnv } from './config/normalizer.env';
import { createNormalizerApp } from './normalizer.app';

/** Within the 10 s a process manager (Docker, scripts/start.sh) waits before SIGKILL. */
const SHUTDOWN_DEADLINE_MS = 8000;
/** GET /health and /metrics answer in milliseconds; a scrape still open after this is cut. */
const HTTP_DRAIN_MS = 1000;

async function main(): Promise<void> {
  const env = loadNormalizerEnv();
  const app = await createNormalizerApp(env);
  await app.listen(env.NORMALIZER_PORT, env.NORMALIZER_HOST);
  const log = await app.resolve(PinoLogger);
  log.setContext('Shutdown');
  exitGracefullyOnSignals(
    [
      {
        name: 'http',
        run: () =>
          drainHttpServer(
            () => app.getHttpAdapter().getInstance().close(),
            app.getHttpServer(),
            HTTP_DRAIN_MS,
          ),
      },
      // The batch in hand is committed (or its transaction aborted), the group left, then the
      // state stores closed (NormalizerModule.onApplicationShutdown).
      { name: 'app', run: () => app.close() },
    ],
    {
      deadlineMs: SHUTDOWN_DEADLINE_MS,
      log: (level, message, extra) => log[level](extra ?? {}, message),
    },
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `normalizer failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
