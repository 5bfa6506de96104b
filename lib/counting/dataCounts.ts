/** The `data_counts` accumulators and their JSON form (spec §3). */
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
    if (value === null) return;
    if (options.human) {
      const text = isoString(value);
      if (text !== null) out[`${name}_string`] = text;
    }
    out[name] = value;
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
 * ISO-8601 UTC with milliseconds, e.g. `2014-06-23T00:00:00.000Z`. A time
 * outside JavaScript's date range (±275,760 years) gets no companion;
 * Elasticsearch would print one, which matters only for absurd epoch data.
 */
function isoString(ms: number): string | null {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
