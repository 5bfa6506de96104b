/**
 * The analytics engine's "last finalized bucket end" (spec §8.4), which
 * flush reports. There is no engine here, so this is the one piece of its
 * bookkeeping that the API shows, kept in whole seconds as the engine does.
 */

/**
 * Moves the clock for a record or `advance_time` at `timeSec`: set on first
 * use to floor(t, span) − latency, then advanced by whole spans while
 * lastEnd + span + latency ≤ t.
 */
export function advanceEngineClock(
  lastEndSec: number | null,
  timeSec: number,
  bucketSpanSec: number,
  latencySec: number,
): number {
  const start = lastEndSec
    ?? Math.floor(timeSec / bucketSpanSec) * bucketSpanSec - latencySec;
  // The loop of the engine, in one step: a gap of years at a one-second
  // span would otherwise take that many iterations.
  const steps = Math.floor((timeSec - latencySec - start) / bucketSpanSec);
  return steps > 0 ? start + steps * bucketSpanSec : start;
}

/** `skip_time`: the clock jumps to ceil(x, span); skipped buckets vanish. */
export function skipEngineClock(
  skipSec: number, bucketSpanSec: number,
): number {
  return Math.ceil(skipSec / bucketSpanSec) * bucketSpanSec;
}
