/**
 * An S3 object's counting upload on a worker thread of its own. Receiving
 * the object over HTTP, inflating a `.gz` and committing checkpoints then
 * run on the main thread beside the counting, not between its pieces: on
 * two cores a 1 GB object through the local stack went from 0.65x the
 * counting core's own speed to 0.76-0.82x (see the README's table).
 * With one core there is nothing to gain, so the Lambda function counts
 * in its own thread (1,769 MB of memory buys one vCPU). The threads are
 * kept for the next upload (countingThreads.ts).
 *
 * The bytes go over in blocks of 1 MiB that pass back and forth: pieces
 * are copied into a block (about 0.1 s a GB), the block is moved to the
 * worker without a copy and comes back once counted, so neither thread
 * makes a buffer per piece. Shared memory would save the moves, but the
 * counting core reads a shared buffer 10-20% slower. A writer that finds
 * every block out waits, and so holds back the HTTP stream behind it.
 */
import type { Worker } from 'node:worker_threads';
import { CountingError } from '../counting/index.js';
import type {
  CountingConfig, CountingState, Upload, UploadCheckpoint, UploadOptions,
  UploadResult, UploadResume, ReaderLimits,
} from '../counting/types.js';
import { endThread, parkThread, takeThread } from './countingThreads.js';

/** An upload whose steps may run elsewhere; each resolves when done. */
export interface CountingUpload {
  /** Resolves once the bytes are copied out: the caller may reuse them. */
  write(piece: Uint8Array): Promise<void>;
  /** The state after every byte written before the call. */
  checkpoint(): Promise<UploadCheckpoint>;
  end(): Promise<UploadResult>;
  /**
   * Lets the thread go, to the next upload or to its end; an upload not
   * ended is dropped.
   */
  close(): Promise<void>;
}

/** The same upload in the calling thread. */
export function inlineUpload(upload: Upload): CountingUpload {
  return {
    write: async (piece) => upload.write(piece),
    checkpoint: async () => upload.checkpoint(),
    end: async () => upload.end(),
    close: async () => undefined,
  };
}

export type ToWorker =
  | {
    kind: 'start'; config: CountingConfig;
    state: CountingState; limits: ReaderLimits; resume?: UploadResume;
    nowMs: number;
  }
  /** `bytes` bytes at the start of `block`, which comes back freed. */
  | { kind: 'write'; block: ArrayBuffer; bytes: number }
  | { kind: 'checkpoint' }
  | { kind: 'end'; nowMs: number }
  /** Drops the upload, failed or not; answered after all sent before. */
  | { kind: 'reset' };

export type FailureMessage =
  | {
    kind: 'failed'; counting: true; type: string; message: string;
    status: number;
  }
  | { kind: 'failed'; counting: false; message: string };

export type FromWorker =
  | { kind: 'freed'; block: ArrayBuffer }
  | { kind: 'checkpoint'; point: UploadCheckpoint }
  | { kind: 'end'; result: UploadResult }
  | { kind: 'reset' }
  | FailureMessage;

/**
 * 4 MiB out at most, about 10 ms of counting: enough to carry the worker
 * over the gaps between HTTP pieces (8 MiB was no faster), and small
 * beside the 256 MB the S3 path may use for a 1 GB object.
 */
const BLOCK_BYTES = 1024 * 1024;
const MAX_BLOCKS = 4;

/**
 * Starts `startUpload(config, state, options)` on a thread of its own;
 * undefined while every spare core has one (countingThreads.ts).
 */
export function startCountingThread(
  config: CountingConfig, state: CountingState, options: UploadOptions,
): CountingUpload | undefined {
  const worker = takeThread();
  if (worker === undefined) return undefined;
  const start: ToWorker = {
    kind: 'start', config, state, limits: options.limits,
    resume: options.resume, nowMs: options.now(),
  };
  worker.postMessage(start);
  return new ThreadUpload(worker, options.now);
}

interface Answer {
  resolve(message: FromWorker): void;
  reject(error: Error): void;
}

/** How long a closing upload waits for its thread to drop it. */
const RESET_MS = 5_000;

class ThreadUpload implements CountingUpload {
  /** The block being filled, and how much of it is. */
  private block: Uint8Array | undefined;
  private filled = 0;
  /** Blocks made so far, and those back from the worker. */
  private blocks = 0;
  private readonly free: ArrayBuffer[] = [];
  /** Why the upload failed; the thread may still serve another. */
  private failure: Error | undefined;
  /** Set once the thread itself failed or stopped: it is not kept. */
  private broken = false;
  private wakeWriter: (() => void) | undefined;
  private wakeReset: (() => void) | undefined;
  /** Checkpoints and the end asked for, in the order they were sent. */
  private readonly answers: Answer[] = [];

  private readonly onMessage = (message: FromWorker) => this.receive(message);
  private readonly onError = (error: Error) => this.breakWith(error);
  private readonly onExit = (code: number) => this.breakWith(
    new Error(`the counting thread stopped with code ${code}`));

  constructor(
    private readonly worker: Worker,
    private readonly now: () => number,
  ) {
    worker.on('message', this.onMessage);
    worker.on('error', this.onError);
    worker.on('exit', this.onExit);
  }

  async write(piece: Uint8Array): Promise<void> {
    let at = 0;
    while (at < piece.length) {
      if (this.failure !== undefined) throw this.failure;
      const block = this.block ?? this.takeBlock();
      if (block === undefined) {
        await new Promise<void>((wake) => { this.wakeWriter = wake; });
        continue;
      }
      const bytes = Math.min(block.length - this.filled, piece.length - at);
      block.set(piece.subarray(at, at + bytes), this.filled);
      this.filled += bytes;
      at += bytes;
      if (this.filled === block.length) this.sendBlock();
    }
  }

  async checkpoint(): Promise<UploadCheckpoint> {
    const answer = await this.ask({ kind: 'checkpoint' });
    if (answer.kind !== 'checkpoint') throw unexpected(answer);
    return answer.point;
  }

  async end(): Promise<UploadResult> {
    const answer = await this.ask({ kind: 'end', nowMs: this.now() });
    if (answer.kind !== 'end') throw unexpected(answer);
    return answer.result;
  }

  /**
   * Once the thread has dropped the upload, with nothing of it left in
   * flight, it is kept for the next; a thread that failed, or does not
   * answer within RESET_MS, is ended.
   */
  async close(): Promise<void> {
    this.failure ??= new Error('the upload is closed');
    const reset = !this.broken && await this.reset();
    this.worker.off('message', this.onMessage);
    this.worker.off('error', this.onError);
    this.worker.off('exit', this.onExit);
    if (reset) parkThread(this.worker);
    else await endThread(this.worker);
  }

  /**
   * Sends the block being filled, then `message`, at once: it is answered
   * after every byte written before it.
   */
  private ask(message: ToWorker): Promise<FromWorker> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.filled > 0) this.sendBlock();
    return new Promise((resolve, reject) => {
      this.answers.push({ resolve, reject });
      this.worker.postMessage(message);
    });
  }

  /** Resolves true once the thread answers the reset, false if it fails. */
  private reset(): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), RESET_MS);
      this.wakeReset = () => {
        clearTimeout(timer);
        resolve(!this.broken);
      };
      this.worker.postMessage({ kind: 'reset' } satisfies ToWorker);
    });
  }

  private takeBlock(): Uint8Array | undefined {
    const buffer = this.free.pop() ?? this.newBuffer();
    if (buffer === undefined) return undefined;
    this.block = new Uint8Array(buffer);
    this.filled = 0;
    return this.block;
  }

  private newBuffer(): ArrayBuffer | undefined {
    if (this.blocks === MAX_BLOCKS) return undefined;
    this.blocks += 1;
    return new ArrayBuffer(BLOCK_BYTES);
  }

  private sendBlock(): void {
    const block = (this.block as Uint8Array).buffer as ArrayBuffer;
    const message: ToWorker = { kind: 'write', block, bytes: this.filled };
    this.worker.postMessage(message, [block]);
    this.block = undefined;
    this.filled = 0;
  }

  private receive(message: FromWorker): void {
    switch (message.kind) {
      case 'freed':
        this.free.push(message.block);
        this.wake();
        return;
      case 'failed':
        this.fail(errorOf(message));
        return;
      case 'reset':
        this.wakeReset?.();
        return;
      default:
        this.answers.shift()?.resolve(message);
    }
  }

  /** The first failure ends the upload; the worker repeats it after. */
  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    for (const answer of this.answers.splice(0)) answer.reject(error);
    this.wake();
  }

  private breakWith(error: Error): void {
    this.broken = true;
    this.fail(error);
    this.wakeReset?.();
  }

  private wake(): void {
    const wake = this.wakeWriter;
    this.wakeWriter = undefined;
    wake?.();
  }
}

function errorOf(message: FailureMessage): Error {
  if (message.counting) {
    return new CountingError(message.type, message.message, message.status);
  }
  return new Error(`the counting thread failed: ${message.message}`);
}

const unexpected = (message: FromWorker): Error =>
  new Error(`the counting thread answered ${message.kind} out of turn`);
