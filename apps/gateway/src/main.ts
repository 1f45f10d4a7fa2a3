import 'reflect-metadata';
import { loadGatewayEnv } from './config/gateway.env';
import { createGatewayApp } from './gateway.app';

async function main(): Promise<void> {
  const env = loadGatewayEnv();
  const app = await createGatewayApp(env);
  await app.listen(env.PORT, env.HOST);
}

main().catch((error: unknown) => {
  // The logger may not exist yet (bad config): stderr is the only honest place left.
  process.stderr.write(
    `gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
