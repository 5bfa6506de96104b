/** The out-of-order rule of Elasticsearch 7.13 and later (spec §5.1). */
import { floorAlign } from './bucketDiagnostics.js';

/** Java's `ms / 1000` on longs: truncation toward zero. */
export function wholeSeconds(ms: number): number {
  return Math.trunc(ms / 1000);
}

/**
 * The earliest accepted time in whole seconds given the job-wide latest
 * accepted time L: `tdiv(floorAlign(L, S)) − latency`. A record is out of
 * order iff its whole seconds are strictly below this.
 */
export function outOfOrderThresholdSec(
  latestMs: number, bucketSpanMs: number, latencyMs: number,
): number {
  return wholeSeconds(floorAlign(latestMs, bucketSpanMs))
    - wholeSeconds(latencyMs);
}
