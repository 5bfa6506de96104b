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
  state.counts[idx] += 1;
  state.movingTotal += 1;
  if (bucketStart < state.earliestStart) {
    state.earliestStart = bucketStart;
    state.earliestIdx = idx;
  }
}

/**
 * Moves the latest bucket `steps` buckets on (spec §7.3). Two window
 * lengths of single steps finalize every bucket that held records and leave
 * a full window of empty ones; each further step would only finalize one
 * more empty bucket, so those are counted at once. A record years after the
 * last one costs no more than one a few buckets later.
 */
function advance(
  state: DiagnosticsState, bucketSpanMs: number, steps: number,
): void {
  const size = state.counts.length;
  const single = Math.min(steps, 2 * size);
  for (let i = 0; i < single; i += 1) {
    const next = (state.latestIdx + 1) % size;
    if (next === state.earliestIdx) {
      finalize(state, bucketSpanMs, next);
      state.movingTotal -= state.counts[next];
      state.earliestStart += bucketSpanMs;
      state.earliestIdx = (state.earliestIdx + 1) % size;
    }
    state.counts[next] = 0;
    state.latestStart += bucketSpanMs;
    state.latestIdx = next;
  }

  const rest = steps - single;
  if (rest <= 0) return;
  // Buckets earliestStart, earliestStart + span, ... are finalized empty.
  state.bucketCount += rest;
  state.emptyBucketCount += rest;
  state.latestEmpty = state.earliestStart + (rest - 1) * bucketSpanMs;
  state.lastFinalisedStart = state.latestEmpty;
  state.earliestStart += rest * bucketSpanMs;
  state.latestStart += rest * bucketSpanMs;
  state.earliestIdx = (state.earliestIdx + rest) % size;
  state.latestIdx = (state.latestIdx + rest) % size;
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
  const start = state.latestStart - behind * bucketSpanMs;
  if (start <= state.lastFinalisedStart) return;

  state.lastFinalisedStart = start;
  state.bucketCount += 1;
  const count = state.counts[idx];
  if (count === 0) {
    state.emptyBucketCount += 1;
    state.latestEmpty = start;
    return;
  }

  const windowBuckets =
    (state.latestStart - state.earliestStart) / bucketSpanMs + 1;
  const average = state.movingTotal / windowBuckets;
  if (Math.log(average) - Math.log(count) > SPARSITY_THRESHOLD) {
    state.sparseBucketCount += 1;
    state.latestSparse = start;
  }
}
