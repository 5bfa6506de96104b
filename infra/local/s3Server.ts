/**
 * s3rver, the local stand-in for S3, in a child process of its own. The
 * child runs with OpenSSL's legacy provider, which s3rver needs for the
 * continuation tokens of paged ListObjectsV2 (it encrypts them with single
 * DES); the flag is set here, so `npm start`, `ml-intake serve` and the
 * tests get it without the user's NODE_OPTIONS. Object-created events come
 * back to this process over the IPC channel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { S3Event } from 'aws-lambda';

export interface S3ServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Where s3rver keeps buckets and objects. */
  directory: string;
  bucketName: string;
  /** Empties the directory when the server closes (tests). */
  resetOnClose?: boolean;
}

export interface S3Server {
  url: string;
  /** Receives every event s3rver emits (created and removed objects). */
  onEvent(listener: (event: S3Event) => void): void;
  close(): Promise<void>;
}

type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'failed'; message: string }
  | { type: 'event'; event: S3Event };

/** Runs in the child (CommonJS, `node -e`); its settings come in env. */
const CHILD_SCRIPT = `
const S3rver = require(process.env.ML_S3RVER_MAIN);
const server = new S3rver(JSON.parse(process.env.ML_S3RVER_OPTIONS));
server.on('event', (event) => process.send({ type: 'event', event }));
// s3rver stores each key segment as a file name, and a segment over the
// file system's 255 bytes (valid in S3) throws where nothing catches it.
// Without this one such PUT ended the child and S3 with it for good.
process.on('uncaughtException', (error) => {
  console.error('s3rver: ' + error.message);
});
const stop = () => server.close().finally(() => process.exit(0));
process.on('disconnect', stop);
process.on('message', (message) => { if (message === 'close') stop(); });
server.run().then(
  ({ port }) => process.send({ type: 'ready', port }),
  (error) => {
    process.send({ type: 'failed', message: String(error) });
    process.exit(1);
  });
`;

const START_TIMEOUT_MS = 15_000;

export async function startS3Server(
  options: S3ServerOptions,
): Promise<S3Server> {
  await mkdir(options.directory, { recursive: true });
  const s3rverMain = createRequire(import.meta.url).resolve('s3rver');
  const child = spawn(process.execPath,
    ['--openssl-legacy-provider', '-e', CHILD_SCRIPT], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: {
        ...process.env,
        ML_S3RVER_MAIN: s3rverMain,
        ML_S3RVER_OPTIONS: JSON.stringify({
          address: options.host, port: options.port, silent: true,
          directory: options.directory,
          resetOnClose: options.resetOnClose ?? false,
          configureBuckets: [{ name: options.bucketName, configs: [] }],
        }),
      },
    });

  const listeners: Array<(event: S3Event) => void> = [];
  child.on('message', (message: ChildMessage) => {
    if (message.type !== 'event') return;
    for (const listener of listeners) listener(message.event);
  });

  const port = await readyPort(child);
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    onEvent: (listener) => listeners.push(listener),
    close: () => stopChild(child),
  };
}

function readyPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('s3rver did not start in time'));
    }, START_TIMEOUT_MS);
    const settle = (outcome: () => void) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('message', onMessage);
      outcome();
    };
    const onExit = (code: number | null) => settle(() => reject(
      new Error(`s3rver exited with code ${code} before it started`)));
    const onMessage = (message: ChildMessage) => {
      if (message.type === 'ready') settle(() => resolve(message.port));
      if (message.type === 'failed') {
        settle(() => reject(new Error(`s3rver: ${message.message}`)));
      }
    };
    child.on('exit', onExit);
    child.on('message', onMessage);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    if (child.connected) child.send('close');
    else child.kill();
  });
}
