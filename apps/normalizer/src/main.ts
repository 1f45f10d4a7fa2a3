import 'reflect-metadata';
import { loadNormalizerEnv } from './config/normalizer.env';
import { createNormalizerApp } from './normalizer.app';

createNormalizerApp(loadNormalizerEnv())
  .then((app) => app.init())
  .catch((error: unknown) => {
    process.stderr.write(
      `normalizer failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
