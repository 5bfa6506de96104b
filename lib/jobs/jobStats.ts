import {
  analysedFieldCount, renderDataCounts,
} from '../counting/index.js';
import type { JobStateItem } from '../store/types.js';
import type { JobConfig } from './jobConfig.js';
import { toCountingConfig } from './jobConfig.js';

/**
 * One entry of `GET _stats` (spec §8.5). There is no analytics engine, so
 * model size and forecast statistics are those of a job with no model yet.
 */
export function renderJobStats(
  job: JobConfig,
  state: JobStateItem,
  options: { human: boolean; nowMs: number },
): Record<string, unknown> {
  const opened = state.status === 'opened';
  // An open job reports with the session's A, which is 1 until its first
  // upload (spec §3.6); a closed job with the A its totals were saved with.
  const fieldsPerRecord = opened
    ? state.counting.analysedFieldCount
    : analysedFieldCount(toCountingConfig(job).inputFields);

  const entry: Record<string, unknown> = {
    job_id: job.job_id,
    data_counts: renderDataCounts(job.job_id, state.counting.totals,
      fieldsPerRecord, { human: options.human }),
    model_size_stats: {
      job_id: job.job_id,
      result_type: 'model_size_stats',
      model_bytes: 0,
      total_by_field_count: 0,
      total_over_field_count: 0,
      total_partition_field_count: 0,
      bucket_allocation_failures_count: 0,
      memory_status: 'ok',
    },
    forecasts_stats: { total: 0, forecasted_jobs: 0 },
    state: state.status,
  };
  if (opened && state.openedAt !== null) {
    entry.open_time = `${Math.max(0, Math.floor(
      (options.nowMs - state.openedAt) / 1000))}s`;
  }
  return entry;
}
