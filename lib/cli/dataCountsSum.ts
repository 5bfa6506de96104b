import {
  emptyDataCounts, renderDataCounts, type DataCounts,
} from '../counting/index.js';

/**
 * Adds up the data counts of consecutive uploads to one job into what a
 * single upload of the whole file would have answered, in the API's
 * field names and key order (spec §3.5).
 */

export type DataCountsBody = Record<string, unknown>;

// The key lists come from the core's own rendering, so they cannot drift
// from what the server answers: once with every timestamp null (omitted)
// and once with every one set.
const render = (counts: DataCounts) =>
  Object.keys(renderDataCounts('', counts, 1, { human: false }));
const withoutTimes = new Set(render(emptyDataCounts()));
const everyKey = render(Object.fromEntries(Object.entries(emptyDataCounts())
  .map(([name, value]) => [name, value ?? 0])) as unknown as DataCounts);

/** The numbers that add up, in the API's order (job_id left out). */
export const COUNTERS: readonly string[] = everyKey
  .filter((name) => name !== 'job_id' && withoutTimes.has(name));
/** Epoch ms values, omitted when no upload had them as the API omits nulls. */
export const TIMESTAMPS: readonly string[] = everyKey
  .filter((name) => !withoutTimes.has(name));

export function emptyCounts(jobId: string): DataCountsBody {
  const counts: DataCountsBody = { job_id: jobId };
  for (const name of COUNTERS) counts[name] = 0;
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
  for (const name of everyKey) {
    if (COUNTERS.includes(name)) {
      next[name] = numberOf(sum[name]) + numberOf(upload[name]);
      continue;
    }
    const value = combineTimestamp(name, sum[name], upload[name]);
    if (value !== undefined && name !== 'job_id') next[name] = value;
  }
  return next;
}

/**
 * The earliest record is reported once, by the upload that saw the job's
 * first record; the others only move forward, so the later value wins.
 */
function combineTimestamp(
  name: string, before: unknown, after: unknown,
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
