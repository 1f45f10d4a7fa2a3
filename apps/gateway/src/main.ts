import 'reflect-metadata';
import { PinoLogger } from 'nestjs-pino';
import { drainHttpServer, exitGracefullyOnSignals } from '@app/observability';
import { loadGatewayEnv } from './config/gateway.env';
import { createGatewayApp } from './gateway.app';

/** Within the 10 s a process manager (Docker, scripts/start.sh) waits before SIGKILL. */
const SHUTDOWN_DEADLINE_MS = 8000;
/**
 * A request in flight waits at most PUBLISH_TIMEOUT_MS for Kafka before its items go to the
 * spool; past this only a client that is still sending its body holds a connection open.
 */
const HTTP_DRAIN_MS = 5000;

async function main(): Promise<void> {
  const env = loadGatewayEnv();
  const app = await createGatewayApp(env);
  await app.listen(env.PORT, env.HOST);
  const log = await app.resolve(PinoLogger);
  log.setContext('Shutdown');
  exitGracefullyOnSignals(
    [
      // HTTP first: the channel stores and the spool must outlive every request that uses them,
      // and Nest's close() runs the stores' destroy hooks before it closes the server.
      {
        name: 'http',
        run: () =>
          drainHttpServer(
            () => app.getHttpAdapter().getInstance().close(),
            app.getHttpServer(),
            HTTP_DRAIN_MS,
          ),
      },
      // Pollers and listeners, the stores, then the spool and the producer (CoreModule).
      { name: 'app', run: () => app.close() },
    ],
    {
      deadlineMs: SHUTDOWN_DEADLINE_MS,
      log: (level, message, extra) => log[level](extra ?? {}, message),
    },
  );
}

main().catch((error: unknown) => {
  // The logger may not exist yet (bad config): stderr is the only honest place left.
  process.stderr.write(
    `gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
