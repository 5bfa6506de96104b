/**
 * s3rver, the local stand-in for S3, in a child process of its own. The
 * child runs with OpenSSL's legacy provider, which s3rver needs for the
 * continuation tokens of paged ListObjectsV2 (it encrypts them with single
 * DES); the flag is set here, so `npm start`, `ml-intake serve` and the
 * tests get it without the user's NODE_OPTIONS. Object-created events come
 * back to this process over the IPC channel. A body in the aws-chunked
 * framing, which any recent AWS SDK sends by default, is decoded before
 * s3rver sees it, so that any S3 client stores the bytes it sent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { S3Event } from 'aws-lambda';
import { awsChunkedDecoder, isAwsChunked } from './awsChunked.js';

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

/**
 * Runs in the child (CommonJS, `node -e`); its settings come in env. The
 * decoder's source text is put in, as the child loads no TypeScript.
 */
const CHILD_SCRIPT = `
const { join, dirname } = require('node:path');
const { Transform } = require('node:stream');
const S3rver = require(process.env.ML_S3RVER_MAIN);
const S3Error = require(join(dirname(process.env.ML_S3RVER_MAIN),
  'models', 'error.js'));
// A compiler that keeps function names (esbuild's keepNames, as tsx
// runs it) wraps named inner functions in this helper of its own.
const __name = (target) => target;
const isAwsChunked = ${isAwsChunked.toString()};
const awsChunkedDecoder = ${awsChunkedDecoder.toString()};
const server = new S3rver(JSON.parse(process.env.ML_S3RVER_OPTIONS));
server.on('event', (event) => process.send({ type: 'event', event }));
// First of s3rver's middleware, before its authentication and routes.
server.middleware.unshift(async (ctx, next) => {
  const method = ctx.method;
  if ((method !== 'PUT' && method !== 'POST') || !isAwsChunked(ctx.headers)) {
    return next();
  }
  const request = ctx.req;
  const headers = request.headers;
  const declared = headers['x-amz-decoded-content-length'];
  const length = /^[0-9]{1,15}$/.test(declared ?? '') ? Number(declared)
    : undefined;
  const decoder = awsChunkedDecoder(Transform, length);
  // s3rver pipes the body into a stream of its own and listens for
  // errors on that stream only: a fault is sent there, and that stream
  // is ended so that its file is closed; the PUT then fails at once
  // instead of waiting for good.
  let failure;
  let target;
  const failTarget = () => process.nextTick(() => {
    target.emit('error', failure);
    target.end();
  });
  const fail = (error) => {
    if (failure !== undefined) return;
    failure = error;
    if (target !== undefined) failTarget();
  };
  decoder.on('error', fail);
  request.on('error', () => {});
  request.once('close', () => {
    if (!request.complete) {
      fail(Object.assign(new Error('The request body ended early'),
        { code: 'IncompleteBody' }));
    }
  });
  const pipe = decoder.pipe.bind(decoder);
  decoder.pipe = (destination, options) => {
    target = destination;
    if (failure !== undefined) {
      failTarget();
      return destination;
    }
    return pipe(destination, options);
  };
  request.pipe(decoder);
  // What S3 keeps: the decoded length, and the encoding without
  // aws-chunked (real S3 drops it too).
  if (length === undefined) delete headers['content-length'];
  else headers['content-length'] = String(length);
  const encoding = String(headers['content-encoding'] ?? '').split(',')
    .map((part) => part.trim()).filter((part) => part !== ''
      && part.toLowerCase() !== 'aws-chunked');
  if (encoding.length === 0) delete headers['content-encoding'];
  else headers['content-encoding'] = encoding.join(', ');
  ctx.req = decoder;
  try {
    await next();
  } catch (error) {
    if (failure === undefined) throw error;
    throw new S3Error(failure.code ?? 'IncompleteBody', failure.message);
  }
});
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
