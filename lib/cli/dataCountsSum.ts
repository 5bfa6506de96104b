/**
 * Adds up the data counts of consecutive uploads to one job into what a
 * single upload of the whole file would have answered, in the API's
 * field names and key order (spec §3.5).
 */

export type DataCountsBody = Record<string, unknown>;

const COUNTERS = [
  'processed_record_count', 'processed_field_count', 'input_bytes',
  'input_field_count', 'invalid_date_count', 'missing_field_count',
  'out_of_order_timestamp_count', 'empty_bucket_count',
  'sparse_bucket_count', 'bucket_count',
] as const;

/** Omitted when no upload had them, as the API omits nulls. */
const TIMESTAMPS = [
  'earliest_record_timestamp', 'latest_record_timestamp', 'last_data_time',
  'latest_empty_bucket_timestamp', 'latest_sparse_bucket_timestamp',
] as const;

export function emptyCounts(jobId: string): DataCountsBody {
  const counts: DataCountsBody = { job_id: jobId };
  for (const name of COUNTERS) counts[name] = 0;
  counts.input_record_count = 0;
  return counts;
}

/**
 * `processed_field_count` is clamped at zero per upload by the server
 * (spec §3.6), so the sum can exceed one upload's value when many
 * records lack analysed fields; the job's stats hold the exact figure.
 */
export function addCounts(
  sum: DataCountsBody, upload: DataCountsBody,
): DataCountsBody {
  const next: DataCountsBody = { job_id: sum.job_id };
  for (const name of COUNTERS) {
    next[name] = numberOf(sum[name]) + numberOf(upload[name]);
  }
  for (const name of TIMESTAMPS) {
    const value = combineTimestamp(name, sum[name], upload[name]);
    if (value !== undefined) next[name] = value;
  }
  next.input_record_count = numberOf(sum.input_record_count)
    + numberOf(upload.input_record_count);
  return next;
}

/**
 * The earliest record is reported once, by the upload that saw the job's
 * first record; the others only move forward, so the later value wins.
 */
function combineTimestamp(
  name: (typeof TIMESTAMPS)[number], before: unknown, after: unknown,
): number | undefined {
  const a = typeof before === 'number' ? before : undefined;
  const b = typeof after === 'number' ? after : undefined;
  if (a === undefined || b === undefined) return a ?? b;
  if (name === 'earliest_record_timestamp') return Math.min(a, b);
  if (name === 'last_data_time') return b;
  return Math.max(a, b);
}

function numberOf(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
