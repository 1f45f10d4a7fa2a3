import 'reflect-metadata';
import { serveUntilSignalled } from '@app/observability';
import { loadGatewayEnv } from './config/gateway.env';

const env = loadGatewayEnv();
serveUntilSignalled({
  name: 'gateway',
  // Imported here, not above: a signal while the app's modules load is already handled.
  create: async () => (await import('./gateway.app')).createGatewayApp(env),
  port: env.PORT,
  host: env.HOST,
  // A request in flight waits at most PUBLISH_TIMEOUT_MS for Kafka before its items go to the
  // spool; past this only a client still sending its body holds a connection open.
  drainMs: 5000,
  // Pollers and listeners, the channel stores, then the spool and the producer (CoreModule).
  deadlineMs: 8000,
}).catch((error: unknown) => {
  // The logger may not exist yet (bad config): stderr is the only honest place left.
  process.stderr.write(
    `gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
