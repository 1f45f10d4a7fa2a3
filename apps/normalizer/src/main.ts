import 'reflect-metadata';
import { serveUntilSignalled } from '@app/observability';
import { loadNormalizerEnv } from './config/normalizer.env';

const env = loadNormalizerEnv();
serveUntilSignalled({
  name: 'normalizer',
  // Imported here, not above: a signal while the app's modules load is already handled.
  create: async () => (await import('./normalizer.app')).createNormalizerApp(env),
  port: env.NORMALIZER_PORT,
  host: env.NORMALIZER_HOST,
  // GET /health and /metrics answer in milliseconds.
  drainMs: 1000,
  // The batch in hand commits (or its transaction is aborted, after 5 s), the group is left, then
  // the state stores close (NormalizerModule.onApplicationShutdown).
  deadlineMs: 8000,
}).catch((error: unknown) => {
  process.stderr.write(
    `normalizer failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
