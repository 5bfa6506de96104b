/**
 * The process's counting threads (see countingThread.ts). Starting one
 * takes about 150 ms, most of it loading js-joda with its time-zone data:
 * more than counting 40 MB takes. So a thread whose upload is over waits
 * for the next one, for a minute at most, instead of ending. A waiting
 * thread holds about 50 MB, so one is kept: the objects of one job come
 * one after another, and uploads at once start threads of their own, up
 * to one for each core beyond the main thread's (MAX_BUSY).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const MAX_IDLE = 1;
/**
 * Threads holding an upload at once: one for each core beyond the main
 * thread's, which receives, inflates and commits. More would only take
 * turns, at about 70 MB each: twelve objects at once on two cores took
 * the process to 1.16 GB with a thread each, 323 MB inline, in the same
 * time.
 */
const MAX_BUSY = Math.max(1, availableParallelism() - 1);
let busy = 0;
const IDLE_MS = 60_000;

/**
 * A young generation of 8 MB: the counting makes short-lived garbage
 * only. With 16 MB, and twice the blocks in flight (countingThread.ts),
 * the peak RSS of a 1 GB object was about 18 MB higher, at the same speed.
 */
const LIMITS = { maxYoungGenerationSizeMb: 8 };

interface Idle {
  worker: Worker;
  timer: NodeJS.Timeout;
  onExit(): void;
}

const idle: Idle[] = [];

/** A waiting thread, or a new one; none while every spare core has one. */
export function takeThread(): Worker | undefined {
  if (busy === MAX_BUSY) return undefined;
  busy += 1;
  const kept = idle.pop();
  if (kept === undefined) {
    try {
      return newWorker();
    } catch (error) {
      busy -= 1;
      throw error;
    }
  }
  clearTimeout(kept.timer);
  kept.worker.off('exit', kept.onExit);
  kept.worker.off('error', kept.onExit);
  kept.worker.ref();
  return kept.worker;
}

/** Ends a thread that held an upload and cannot be kept. */
export async function endThread(worker: Worker): Promise<void> {
  busy -= 1;
  await worker.terminate();
}

/** Keeps a thread that holds no upload, with nothing in flight. */
export function parkThread(worker: Worker): void {
  busy -= 1;
  if (idle.length === MAX_IDLE) {
    void worker.terminate();
    return;
  }
  const kept: Idle = {
    worker,
    timer: setTimeout(() => {
      forget(kept);
      void worker.terminate();
    }, IDLE_MS),
    onExit: () => {
      clearTimeout(kept.timer);
      forget(kept);
    },
  };
  kept.timer.unref();
  // One that fails while it waits is let go (an 'error' with no listener
  // would end the process).
  worker.once('exit', kept.onExit);
  worker.once('error', kept.onExit);
  // A waiting thread does not keep the process alive.
  worker.unref();
  idle.push(kept);
}

function forget(kept: Idle): void {
  const at = idle.indexOf(kept);
  if (at >= 0) idle.splice(at, 1);
}

/**
 * The worker's script. The bundles of dist/ have it beside them as
 * counting-worker.mjs (scripts/build.mjs). Run from the TypeScript
 * sources (the tests), the thread registers tsx before it loads the
 * source: Node 20 does not apply `--import tsx` to a worker's own entry.
 */
function newWorker(): Worker {
  const options = { resourceLimits: LIMITS };
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./counting-worker.mjs', import.meta.url),
      options);
  }
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const source = JSON.stringify(
    new URL('./countingWorker.ts', import.meta.url).href);
  return new Worker(`import(${tsx}).then(({ register }) => {
    register();
    return import(${source});
  });`, { ...options, eval: true });
}
