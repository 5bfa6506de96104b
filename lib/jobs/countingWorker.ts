/**
 * The worker thread of countingThread.ts: one counting upload, fed in
 * blocks that go back once counted. Messages come in the order they were
 * sent, so a checkpoint or the end is answered after every write sent
 * before it.
 * After a failure every later message is answered with that failure,
 * until a reset drops the upload; the thread then serves the next.
 */
import { parentPort } from 'node:worker_threads';
import { CountingError, startUpload } from '../counting/index.js';
import type { Upload } from '../counting/types.js';
import type {
  FailureMessage, FromWorker, ToWorker,
} from './countingThread.js';

const port = parentPort;
if (port === null) throw new Error('countingWorker.ts runs as a worker');

let upload: Upload | undefined;
/** The wall clock of the last message that carried one. */
let nowMs = 0;
let failure: FailureMessage | undefined;

const reply = (message: FromWorker) => port.postMessage(message);
const giveBack = (block: ArrayBuffer) =>
  port.postMessage({ kind: 'freed', block } satisfies FromWorker, [block]);

port.on('message', (message: ToWorker) => {
  if (message.kind === 'reset') {
    upload = undefined;
    failure = undefined;
    reply({ kind: 'reset' });
    return;
  }
  if (failure !== undefined) {
    // Writes only need to free their room; the failure is already sent.
    if (message.kind === 'write') giveBack(message.block);
    else if (message.kind !== 'start') reply(failure);
    return;
  }
  try {
    handle(message);
  } catch (error) {
    failure = failureOf(error);
    if (message.kind === 'write') giveBack(message.block);
    reply(failure);
  }
});

function handle(message: ToWorker): void {
  switch (message.kind) {
    case 'start':
      nowMs = message.nowMs;
      upload = startUpload(message.config, message.state, {
        now: () => nowMs, limits: message.limits, resume: message.resume,
      });
      return;
    case 'write':
      // The reader keeps a copy of what it holds back, never a view, so
      // the block can be filled again as soon as write() returns.
      started().write(new Uint8Array(message.block, 0, message.bytes));
      giveBack(message.block);
      return;
    case 'checkpoint':
      reply({ kind: 'checkpoint', point: started().checkpoint() });
      return;
    case 'end':
      nowMs = message.nowMs;
      reply({ kind: 'end', result: started().end() });
  }
}

function started(): Upload {
  if (upload === undefined) throw new Error('no upload was started');
  return upload;
}

/** What the main thread needs to throw the same error again. */
function failureOf(error: unknown): FailureMessage {
  if (error instanceof CountingError) {
    return {
      kind: 'failed', counting: true, type: error.type,
      message: error.message, status: error.status,
    };
  }
  return {
    kind: 'failed', counting: false,
    message: error instanceof Error ? error.message : String(error),
  };
}
