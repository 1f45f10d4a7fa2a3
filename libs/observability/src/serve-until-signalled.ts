import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PinoLogger } from 'nestjs-pino';
import { drainHttpServer, exitGracefullyOnSignals } from './graceful-shutdown';

export interface ServeOptions {
  /** For the one stderr line written when the logger does not exist yet. */
  name: string;
  create: () => Promise<NestFastifyApplication>;
  port: number;
  host: string;
  /** How long requests in flight may take to finish once the server stops accepting. */
  drainMs: number;
  /** Exit by then whatever is left (status 1); within the 10 s process managers wait. */
  deadlineMs: number;
}

/**
 * An app's main(): builds it, starts it, serves until SIGTERM, SIGINT or SIGHUP, then stops it in
 * order and exits 0. HTTP first: Nest's close() runs the destroy hooks (which close stores that
 * requests use) before it closes the server. The signals are taken before the app is built, so a
 * stop during boot does not kill the process halfway with status 143: before the app exists it
 * just exits (nothing taken in yet; `create` should import the app's modules itself, so that this
 * holds while they load), after that it waits for the start (Kafka, the consumer joining its
 * group) to settle and undoes it.
 */
export async function serveUntilSignalled(options: ServeOptions): Promise<void> {
  let app: NestFastifyApplication | undefined;
  let log: PinoLogger | undefined;
  /** The app to stop: none when the signal came before it was built (nothing to undo then). */
  let target: NestFastifyApplication | undefined;
  const shutdown = exitGracefullyOnSignals(
    [
      {
        name: 'boot',
        run: async () => {
          target = app;
          if (target) await booted.catch(() => undefined);
        },
      },
      {
        name: 'http',
        run: async () => {
          if (!target) return;
          const server = target;
          await drainHttpServer(
            () => server.getHttpAdapter().getInstance().close(),
            server.getHttpServer(),
            options.drainMs,
          );
        },
      },
      { name: 'app', run: async () => target?.close() },
    ],
    {
      deadlineMs: options.deadlineMs,
      log: (level, message, extra) => {
        if (log) log[level](extra ?? {}, message);
        else process.stderr.write(`${options.name}: ${message}\n`);
      },
    },
  );
  const booted = (async () => {
    app = await options.create();
    // createGatewayApp calls Nest's enableShutdownHooks, whose listener would close the app
    // beside these steps, stores before the server, and re-raise the signal.
    shutdown.reclaim();
    const logger = await app.resolve(PinoLogger);
    logger.setContext('Shutdown');
    log = logger;
    await app.init();
  })();
  try {
    await booted;
    if (!shutdown.stopping) await app?.listen(options.port, options.host);
  } catch (error) {
    // A boot cut short by a stop is not a failure to start: the shutdown is under way.
    if (!shutdown.stopping) throw error;
  }
}
