import 'reflect-metadata';
import { loadNormalizerEnv } from './config/normalizer.env';
import { createNormalizerApp } from './normalizer.app';

const env = loadNormalizerEnv();
createNormalizerApp(env)
  .then((app) => app.listen(env.NORMALIZER_PORT, env.NORMALIZER_HOST))
  .catch((error: unknown) => {
    process.stderr.write(
      `normalizer failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
