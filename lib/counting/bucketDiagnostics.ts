/**
 * Bucket diagnostics (spec §7): a moving window of per-bucket record counts
 * that finalizes buckets as time moves on and judges each one empty or
 * sparse. The state is plain data so it can be persisted between uploads;
 * the functions here change it in place and are given a private copy.
 */
import type { DataCounts, DiagnosticsState } from './types.js';

/** Sparse iff ln(window average) − ln(bucket count) is above this. */
const SPARSITY_THRESHOLD = 2;
const MIN_WINDOW_BUCKETS = 10;

/** W = max(10, ceil(latency / span)) buckets (spec §7.2). */
export function windowSize(bucketSpanMs: number, latencyMs: number): number {
  return Math.max(MIN_WINDOW_BUCKETS, Math.ceil(latencyMs / bucketSpanMs));
}

/** Largest multiple of `spanMs` not above `timeMs` (epoch aligned). */
export function floorAlign(timeMs: number, spanMs: number): number {
  return Math.floor(timeMs / spanMs) * spanMs;
}

export function createDiagnostics(
  bucketSpanMs: number, latencyMs: number,
): DiagnosticsState {
  return {
    counts: new Array<number>(windowSize(bucketSpanMs, latencyMs)).fill(0),
    movingTotal: 0,
    latestStart: -1,
    latestIdx: 0,
    earliestStart: -1,
    earliestIdx: 0,
    lastFinalisedStart: -1,
    bucketCount: 0,
    emptyBucketCount: 0,
    sparseBucketCount: 0,
    latestEmpty: -1,
    latestSparse: -1,
  };
}

export function copyDiagnostics(state: DiagnosticsState): DiagnosticsState {
  return { ...state, counts: state.counts.slice() };
}

/** Adds one accepted record at `timeMs` (spec §7.3). */
export function addRecord(
  state: DiagnosticsState, bucketSpanMs: number, timeMs: number,
): void {
  const bucketStart = floorAlign(timeMs, bucketSpanMs);
  if (bucketStart === state.latestStart && Number.isFinite(bucketStart)) {
    // The latest bucket again, as most records are: no step, no index.
    // (An infinite start takes the general steps, whatever they give.)
    state.counts[state.latestIdx] += 1;
    state.movingTotal += 1;
    return;
  }
  const size = state.counts.length;
  if (!hasRecords(state)) {
    state.latestStart = bucketStart;
    state.earliestStart = bucketStart;
  }

  const steps = Math.round((bucketStart - state.latestStart) / bucketSpanMs);
  if (steps > 0) advance(state, bucketSpanMs, steps);

  // Rounded: beyond 2^53 ms (far past any real date, but a saturated
  // `1e400` gets there) bucket starts are no longer exact in a double.
  const offset = Math.round((bucketStart - state.latestStart) / bucketSpanMs);
  let idx = (state.latestIdx + offset) % size;
  if (idx < 0) idx += size;
  if (state.counts[idx] === 0) blockMarks(state)[idx >> BLOCK_BITS] = 1;
  state.counts[idx] += 1;
  state.movingTotal += 1;
  if (bucketStart < state.earliestStart) {
    state.earliestStart = bucketStart;
    state.earliestIdx = idx;
  }
}

/**
 * Moves the latest bucket `steps` buckets on (spec §7.3) at a cost set by
 * the buckets that held records, not by the steps, so a record a year after
 * the last one costs about what the next bucket's does. Three phases give
 * what single steps give: while the ring has free slots nothing leaves it;
 * then each step finalizes the earliest bucket; after a whole ring of
 * those every slot is empty, and each further step finalizes one more
 * empty bucket.
 */
function advance(
  state: DiagnosticsState, bucketSpanMs: number, steps: number,
): void {
  const size = state.counts.length;
  const free = (state.earliestIdx - state.latestIdx - 1 + size) % size;
  const filling = Math.min(steps, free);
  for (let i = 1; i <= filling; i += 1) {
    state.counts[(state.latestIdx + i) % size] = 0;
  }
  state.latestIdx = (state.latestIdx + filling) % size;
  state.latestStart += filling * bucketSpanMs;

  const leaving = Math.min(steps - filling, size);
  if (leaving > 0) leaveWindow(state, bucketSpanMs, leaving);

  const rest = steps - filling - leaving;
  if (rest <= 0) return;
  // Every slot is empty by now; each step finalizes one more empty
  // bucket, the one W − 1 buckets behind the latest.
  finalizeEmptyRun(state, bucketSpanMs,
    state.latestStart - (size - 1) * bucketSpanMs, rest);
  moveWindow(state, bucketSpanMs, rest);
}

/** Moves both ends of a full window `steps` buckets on. */
function moveWindow(
  state: DiagnosticsState, bucketSpanMs: number, steps: number,
): void {
  const size = state.counts.length;
  state.earliestStart += steps * bucketSpanMs;
  state.latestStart += steps * bucketSpanMs;
  state.earliestIdx = (state.earliestIdx + steps) % size;
  state.latestIdx = (state.latestIdx + steps) % size;
}

/**
 * `leaving` (at most W) steps of a full ring: its earliest slots are
 * finalized in order and come back empty as the latest ones. A run of
 * slots in a block that has held no record since it last emptied is
 * counted as empty buckets at once.
 */
function leaveWindow(
  state: DiagnosticsState, bucketSpanMs: number, leaving: number,
): void {
  const size = state.counts.length;
  const marks = blockMarks(state);
  // Both ends move together, so the window keeps its length throughout.
  const windowBuckets =
    (state.latestStart - state.earliestStart) / bucketSpanMs + 1;
  const firstStart = state.latestStart - (size - 1) * bucketSpanMs;
  for (let done = 0; done < leaving;) {
    const idx = (state.earliestIdx + done) % size;
    const block = idx >> BLOCK_BITS;
    const blockEnd = Math.min((block + 1) << BLOCK_BITS, size);
    const run = Math.min(blockEnd - idx, leaving - done);
    const runStart = firstStart + done * bucketSpanMs;
    if (marks[block] === 0) {
      finalizeEmptyRun(state, bucketSpanMs, runStart, run);
    } else {
      for (let k = 0; k < run; k += 1) {
        const count = state.counts[idx + k];
        judge(state, runStart + k * bucketSpanMs, count, windowBuckets);
        state.movingTotal -= count;
        state.counts[idx + k] = 0;
      }
      if (idx === block << BLOCK_BITS && run === blockEnd - idx) {
        marks[block] = 0;
      }
    }
    done += run;
  }
  moveWindow(state, bucketSpanMs, leaving);
}

/** `n` empty buckets from `firstStart` on, minus those finalized before. */
function finalizeEmptyRun(
  state: DiagnosticsState, bucketSpanMs: number, firstStart: number,
  n: number,
): void {
  const lastStart = firstStart + (n - 1) * bucketSpanMs;
  if (lastStart <= state.lastFinalisedStart) return;

  const before = firstStart > state.lastFinalisedStart ? 0
    : Math.floor((state.lastFinalisedStart - firstStart) / bucketSpanMs) + 1;
  state.bucketCount += n - before;
  state.emptyBucketCount += n - before;
  state.latestEmpty = lastStart;
  state.lastFinalisedStart = lastStart;
}

/**
 * End of upload (spec §7.4): finalizes every bucket in the window except
 * the one holding the latest record. Nothing leaves the window.
 */
export function flushAll(state: DiagnosticsState, bucketSpanMs: number): void {
  if (!hasRecords(state)) return;

  const size = state.counts.length;
  for (let idx = state.earliestIdx; idx !== state.latestIdx;
    idx = (idx + 1) % size) {
    finalize(state, bucketSpanMs, idx);
  }
}

/**
 * Adds the session counters to an accumulator and clears them (spec §7.6);
 * the latest empty and sparse starts stay for the rest of the session.
 */
export function foldInto(state: DiagnosticsState, counts: DataCounts): void {
  counts.bucketCount += state.bucketCount;
  counts.emptyBucketCount += state.emptyBucketCount;
  counts.sparseBucketCount += state.sparseBucketCount;
  counts.latestEmptyBucketTimestamp = later(
    counts.latestEmptyBucketTimestamp, state.latestEmpty);
  counts.latestSparseBucketTimestamp = later(
    counts.latestSparseBucketTimestamp, state.latestSparse);
}

export function clearCounters(state: DiagnosticsState): void {
  state.bucketCount = 0;
  state.emptyBucketCount = 0;
  state.sparseBucketCount = 0;
}

/** −1 is never a bucket start: spans are whole seconds (spec §7.2). */
function hasRecords(state: DiagnosticsState): boolean {
  return state.latestStart !== -1;
}

function later(current: number | null, candidate: number): number | null {
  if (candidate <= 0) return current;
  return current === null || candidate > current ? candidate : current;
}

function finalize(
  state: DiagnosticsState, bucketSpanMs: number, idx: number,
): void {
  const size = state.counts.length;
  const behind = ((state.latestIdx - idx) % size + size) % size;
  const windowBuckets =
    (state.latestStart - state.earliestStart) / bucketSpanMs + 1;
  judge(state, state.latestStart - behind * bucketSpanMs, state.counts[idx],
    windowBuckets);
}

/**
 * Finalizes the bucket at `start` holding `count` records (spec §7.4),
 * unless it was finalized before. The bucket is still in the window and
 * in its moving total.
 */
function judge(
  state: DiagnosticsState, start: number, count: number,
  windowBuckets: number,
): void {
  if (start <= state.lastFinalisedStart) return;

  state.lastFinalisedStart = start;
  state.bucketCount += 1;
  if (count === 0) {
    state.emptyBucketCount += 1;
    state.latestEmpty = start;
    return;
  }

  const average = state.movingTotal / windowBuckets;
  if (Math.log(average) - Math.log(count) > SPARSITY_THRESHOLD) {
    state.sparseBucketCount += 1;
    state.latestSparse = start;
  }
}

/**
 * Slots come in blocks of 2^BLOCK_BITS; a block is marked once a record
 * lands in one of its empty slots, and unmarked when all its slots have
 * left the window, so an unmarked block holds no records. The marks are
 * derived from the counts and kept beside each state object, never in it:
 * the state is what is stored. Every slot that goes from empty to holding
 * a record does so in addRecord's general steps, which mark it.
 */
const BLOCK_BITS = 6;
const marksOf = new WeakMap<DiagnosticsState, Uint8Array>();

function blockMarks(state: DiagnosticsState): Uint8Array {
  const known = marksOf.get(state);
  if (known !== undefined) return known;

  const marks = new Uint8Array((state.counts.length >> BLOCK_BITS) + 1);
  state.counts.forEach((count, idx) => {
    if (count !== 0) marks[idx >> BLOCK_BITS] = 1;
  });
  marksOf.set(state, marks);
  return marks;
}
