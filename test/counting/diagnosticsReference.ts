/**
 * Spec §7.3-§7.4 written out literally, one step per bucket, as the
 * measure the fast window of lib/counting is checked against. It costs
 * O(gap) per record, so tests keep its gaps to a few windows.
 */
export interface ReferenceWindow {
  add(timeMs: number): void;
  flush(): void;
  readonly counters: {
    bucketCount: number;
    emptyCount: number;
    sparseCount: number;
    latestEmpty: number;
    latestSparse: number;
  };
}

export function referenceWindow(
  spanMs: number, latencyMs: number,
): ReferenceWindow {
  const size = Math.max(Math.ceil(latencyMs / spanMs), 10);
  const cnt = new Array<number>(size).fill(0);
  let movingTotal = 0;
  let latestStart = -1;
  let latestIdx = 0;
  let earliestStart = -1;
  let earliestIdx = 0;
  let lastFinalisedStart = -1;
  const counters = {
    bucketCount: 0, emptyCount: 0, sparseCount: 0,
    latestEmpty: -1, latestSparse: -1,
  };

  const finalise = (idx: number) => {
    const behind = (((latestIdx - idx) % size) + size) % size;
    const start = latestStart - behind * spanMs;
    if (start <= lastFinalisedStart) return;
    lastFinalisedStart = start;
    counters.bucketCount += 1;
    const c = cnt[idx];
    if (c === 0) {
      counters.emptyCount += 1;
      counters.latestEmpty = start;
      return;
    }
    const windowSize = (latestStart - earliestStart) / spanMs + 1;
    if (Math.log(movingTotal / windowSize) - Math.log(c) > 2) {
      counters.sparseCount += 1;
      counters.latestSparse = start;
    }
  };

  return {
    counters,
    add(timeMs) {
      const b = Math.floor(timeMs / spanMs) * spanMs;
      if (latestStart === -1) {
        latestStart = b;
        earliestStart = b;
      }
      while (b > latestStart) {
        const next = (latestIdx + 1) % size;
        if (next === earliestIdx) {
          finalise(next);
          movingTotal -= cnt[next];
          earliestStart += spanMs;
          earliestIdx = (earliestIdx + 1) % size;
        }
        cnt[next] = 0;
        latestStart += spanMs;
        latestIdx = next;
      }
      const off = (b - latestStart) / spanMs;
      let idx = (latestIdx + off) % size;
      if (idx < 0) idx += size;
      cnt[idx] += 1;
      movingTotal += 1;
      if (b < earliestStart) {
        earliestStart = b;
        earliestIdx = idx;
      }
    },
    flush() {
      if (latestStart === -1) return;
      for (let idx = earliestIdx; idx !== latestIdx; idx = (idx + 1) % size) {
        finalise(idx);
      }
    },
  };
}
