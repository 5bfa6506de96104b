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
import { CHILD_SCRIPT } from './s3Child.js';

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

/** An object as the bucket lists it. */
export interface StoredObject {
  key: string;
  /** Without quotes: the MD5 of the bytes for a plain PUT. */
  etag: string;
  sizeBytes: number;
  /** Whole seconds: s3rver keeps the file's time as an HTTP date. */
  lastModifiedMs: number;
}

export interface S3Server {
  url: string;
  /** Receives every event s3rver emits (created and removed objects). */
  onEvent(listener: (event: S3Event) => void): void;
  /**
   * Every object of the bucket whose key starts with `prefix`. A failure
   * has the file system's `code` (ENAMETOOLONG, ...) where there is one.
   */
  listObjects(prefix: string): Promise<StoredObject[]>;
  close(): Promise<void>;
}

type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'failed'; message: string }
  | { type: 'event'; event: S3Event }
  | { type: 'listed'; id: number; objects: StoredObject[] }
  | { type: 'list-failed'; id: number; message: string; code?: string };

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
  const listings = answersOf(child);

  const port = await readyPort(child);
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    onEvent: (listener) => listeners.push(listener),
    listObjects: (prefix) => listings.ask(options.bucketName, prefix),
    close: () => stopChild(child),
  };
}

/**
 * The child lists its own store, which needs no S3 client here and none
 * of ListObjectsV2's paging; each answer carries the number of its
 * question. A child that exits fails the questions it has not answered.
 */
function answersOf(child: ChildProcess) {
  const waiting = new Map<number, {
    resolve(objects: StoredObject[]): void; reject(error: Error): void;
  }>();
  let lastId = 0;
  child.on('message', (message: ChildMessage) => {
    if (message.type !== 'listed' && message.type !== 'list-failed') return;
    const asker = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.type === 'listed') asker?.resolve(message.objects);
    else {
      asker?.reject(Object.assign(new Error(`s3rver: ${message.message}`),
        { code: message.code }));
    }
  });
  child.on('exit', () => {
    for (const asker of waiting.values()) {
      asker.reject(new Error('s3rver exited before it listed the bucket'));
    }
    waiting.clear();
  });

  return {
    ask(bucket: string, prefix: string): Promise<StoredObject[]> {
      lastId += 1;
      const id = lastId;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.send({ type: 'list', id, bucket, prefix });
      });
    },
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
