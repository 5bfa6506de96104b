// Contract stub: implemented by the counting-rules work.
import type {
  CountingConfig, CountingState, Upload, UploadOptions,
} from './types.js';

/** Zero totals, no session, no engine clock: a job just created. */
export function initialCountingState(): CountingState {
  throw new Error('not implemented');
}

/** Job open: a new diagnostics window seeded per spec §7.5; `A` = 1. */
export function openSession(
  config: CountingConfig, state: CountingState,
): CountingState {
  throw new Error(`not implemented ${String(config)} ${String(state)}`);
}

/** Job close: the session's diagnostics are discarded (spec §8.3). */
export function closeSession(state: CountingState): CountingState {
  throw new Error(`not implemented ${String(state)}`);
}

/** One upload over the job's state; the input state is never mutated. */
export function startUpload(
  config: CountingConfig, state: CountingState, options: UploadOptions,
): Upload {
  throw new Error(`not implemented ${String([config, state, options])}`);
}

/**
 * Flush (spec §8.4): applies `skip_time` then `advance_time` (seconds) to the
 * engine clock and reports `last_finalized_bucket_end` in ms, or null when
 * no data was ever seen.
 */
export function flushEngine(
  config: CountingConfig,
  state: CountingState,
  params: { advanceTimeSec?: number; skipTimeSec?: number },
): { state: CountingState; lastFinalizedBucketEndMs: number | null } {
  throw new Error(`not implemented ${String([config, state, params])}`);
}
