// Bundles the command-line tool (which also serves the local stack) and the
// benchmark into dist/. The Lambda bundles are built by serverless-esbuild.
import { build } from 'esbuild';

const entries = {
  cli: 'bin/ml-intake.ts',
  bench: 'test/bench/main.ts',
  // The counting core alone, so that its memory is measured without the
  // AWS SDK, dynalite and the rest of the service loaded.
  'bench-core': 'test/bench/coreChild.ts',
  // The S3 path's counting thread, loaded from beside the bundle that
  // starts it (lib/jobs/countingThread.ts).
  'counting-worker': 'lib/jobs/countingWorker.ts',
};

await build({
  entryPoints: entries,
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  packages: 'external',
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
