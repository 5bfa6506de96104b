import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterEach, beforeEach } from 'vitest';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
/**
 * Inside node_modules, so that the bundle finds its packages (it leaves
 * them out, as the real one does).
 */
const BUNDLE_DIR = `${projectDir}node_modules/.cache/ml-intake-tests`;
const BUNDLE = `${BUNDLE_DIR}/cli.mjs`;

let built: Promise<unknown> | undefined;

/**
 * The `ml-intake` command bundled as scripts/build.mjs does it, with the
 * counting thread's script beside it.
 */
function buildCli(): Promise<unknown> {
  built ??= build({
    entryPoints: {
      cli: `${projectDir}bin/ml-intake.ts`,
      'counting-worker': `${projectDir}lib/jobs/countingWorker.ts`,
    },
    outdir: BUNDLE_DIR, outExtension: { '.js': '.mjs' },
    bundle: true, platform: 'node', target: 'node20', format: 'esm',
    packages: 'external', logLevel: 'warning',
  });
  return built;
}

export interface ServeProcess {
  url: string;
  s3Url: string;
  /** The process id, to read its memory from /proc. */
  pid: number;
  /** Ends the process at once, as `kill -9` does. */
  kill(): Promise<void>;
}

/**
 * `ml-intake serve` in a process of its own, with the data in `dataDir`,
 * API keys off and free ports; `env` adds settings.
 */
export async function startServeProcess(
  dataDir: string, env: Record<string, string> = {},
): Promise<ServeProcess> {
  await buildCli();
  const child = spawn(process.execPath, [BUNDLE, 'serve'], {
    env: {
      ...process.env, ML_DATA_DIR: dataDir, PORT: '0', S3_PORT: '0',
      ML_AUTH: 'off', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { url, s3Url } = await addresses(child);
  return {
    url, s3Url, pid: child.pid ?? 0,
    kill: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve();
        return;
      }
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }),
  };
}

/**
 * For each test of the file: a new data folder named after `prefix`, and
 * `serve` processes on it, killed when the test ends (also those a failed
 * test left running) before the folder is removed.
 */
export function servedEachTest(prefix: string): {
  dataDir(): string;
  serve(env?: Record<string, string>): Promise<ServeProcess>;
} {
  let dataDir: string | undefined;
  const running: ServeProcess[] = [];
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), `ml-intake-${prefix}-`));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((serve) => serve.kill()));
    if (dataDir !== undefined) {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
  const current = () => {
    if (dataDir === undefined) throw new Error('no test is running');
    return dataDir;
  };
  return {
    dataDir: current,
    async serve(env = {}) {
      const started = await startServeProcess(current(), env);
      running.push(started);
      return started;
    },
  };
}

/** Read from what serve prints: its own line and the log of its S3. */
function addresses(child: ChildProcess): Promise<{
  url: string; s3Url: string;
}> {
  return new Promise((resolve, reject) => {
    let output = '';
    let url: string | undefined;
    let s3Url: string | undefined;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      url ??= /listening on (http:\/\/\S+)/.exec(output)?.[1];
      s3Url ??= /"s3Url":"([^"]+)"/.exec(output)?.[1];
      if (url === undefined || s3Url === undefined) return;
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      resolve({ url, s3Url });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(
      `serve exited with ${code} before it listened:\n${output}`)));
  });
}
