/** The `data_counts` accumulators and their JSON form (spec §3). */
import { isoTimeText } from './timeText.js';
import type { DataCounts } from './types.js';

export function emptyDataCounts(): DataCounts {
  return {
    processedRecordCount: 0,
    inputBytes: 0,
    inputFieldCount: 0,
    invalidDateCount: 0,
    missingFieldCount: 0,
    outOfOrderTimestampCount: 0,
    emptyBucketCount: 0,
    sparseBucketCount: 0,
    bucketCount: 0,
    earliestRecordTimestamp: null,
    latestRecordTimestamp: null,
    lastDataTime: null,
    latestEmptyBucketTimestamp: null,
    latestSparseBucketTimestamp: null,
    logTime: null,
  };
}

/** `max(0, prc × A − mfc)` (spec §3.6). */
export function processedFieldCount(
  counts: DataCounts, analysedFieldCount: number,
): number {
  return Math.max(0,
    counts.processedRecordCount * analysedFieldCount
      - counts.missingFieldCount);
}

/** `processed + out of order + invalid date` (spec §3.2). */
export function inputRecordCount(counts: DataCounts): number {
  return counts.processedRecordCount + counts.outOfOrderTimestampCount
    + counts.invalidDateCount;
}

/**
 * The `data_counts` object in Elasticsearch's key order (spec §3.5), with
 * the derived `processed_field_count` and `input_record_count`, omitted null
 * timestamps and, with `human`, the `_string` companions.
 */
export function renderDataCounts(
  jobId: string,
  counts: DataCounts,
  analysedFieldCount: number,
  options: { human: boolean },
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    job_id: jobId,
    processed_record_count: counts.processedRecordCount,
    processed_field_count: processedFieldCount(counts, analysedFieldCount),
    input_bytes: counts.inputBytes,
    input_field_count: counts.inputFieldCount,
    invalid_date_count: counts.invalidDateCount,
    missing_field_count: counts.missingFieldCount,
    out_of_order_timestamp_count: counts.outOfOrderTimestampCount,
    empty_bucket_count: counts.emptyBucketCount,
    sparse_bucket_count: counts.sparseBucketCount,
    bucket_count: counts.bucketCount,
  };
  const time = (name: string, value: number | null) => {
    if (value !== null) renderTime(out, name, value, options.human);
  };

  time('earliest_record_timestamp', counts.earliestRecordTimestamp);
  time('latest_record_timestamp', counts.latestRecordTimestamp);
  time('last_data_time', counts.lastDataTime);
  time('latest_empty_bucket_timestamp', counts.latestEmptyBucketTimestamp);
  time('latest_sparse_bucket_timestamp', counts.latestSparseBucketTimestamp);
  out.input_record_count = inputRecordCount(counts);
  time('log_time', counts.logTime);
  return out;
}

/**
 * Puts a time in epoch ms under `name`, preceded with `human` by its
 * `<name>_string` companion (spec §3.5, §11.3), for any time a long holds.
 */
export function renderTime(
  out: Record<string, unknown>, name: string, ms: number, human: boolean,
): void {
  if (human) out[`${name}_string`] = isoTimeText(ms);
  out[name] = ms;
}
