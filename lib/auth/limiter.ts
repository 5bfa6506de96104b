/**
 * Runs at most `slots` tasks at once; the others wait in arrival order.
 * Key checks use it to keep scrypt, which runs on libuv's thread pool (4
 * threads by default), from taking every thread: the pool also serves
 * file access (dynalite's LevelDB), DNS lookups and zlib.
 */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks started and not yet finished. */
  readonly running: number;
  /** Tasks waiting for a slot. */
  readonly waiting: number;
}

export function createLimiter(slots: number): Limiter {
  if (!Number.isInteger(slots) || slots < 1) {
    throw new Error(`a limiter needs at least one slot, got ${slots}`);
  }

  let running = 0;
  const queue: Array<() => void> = [];

  // A finished task hands its slot straight to the next one waiting, so
  // a task arriving in between cannot overtake the queue.
  function release(): void {
    const next = queue.shift();
    if (next === undefined) running -= 1;
    else next();
  }

  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (running < slots) running += 1;
      else await new Promise<void>((resolve) => queue.push(resolve));

      try {
        return await task();
      } finally {
        release();
      }
    },
    get running() { return running; },
    get waiting() { return queue.length; },
  };
}
