/**
 * Preloaded into an app process (`node -r ts-node/register/transpile-only -r <this>`) when the
 * benchmark profiles: the first SIGWINCH (not one of the signals Nest's shutdown hooks take) starts the V8 CPU profiler, the second writes
 * $BENCH_CPU_PROFILE (a .cpuprofile, as `node --cpu-prof` would) and stops it. Needed because the
 * apps end by re-raising SIGTERM (Nest shutdown hooks), where `--cpu-prof` writes nothing, and so
 * the profile covers the measured window only.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const target = process.env.BENCH_CPU_PROFILE;
if (target) {
  const session = new Session();
  session.connect();
  let running = false;
  process.on('SIGWINCH', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () =>
        session.post('Profiler.setSamplingInterval', { interval: 500 }, () =>
          session.post('Profiler.start'),
        ),
      );
      return;
    }
    running = false;
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(target, JSON.stringify(result.profile));
      else process.stderr.write(`cpu profile failed: ${error.message}\n`);
    });
  });
}
