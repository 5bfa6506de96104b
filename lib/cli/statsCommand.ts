import type { CliIo } from './cliIo.js';
import { type ServerClient, jobPath } from './serverClient.js';
import {
  countOf, dataCountsRows, formatCount, formatTime, keyValueTable,
} from './textTable.js';

/** `ml-intake stats`: each job's data counts, and what looks wrong. */
export async function showStats(
  client: ServerClient, jobId: string, json: boolean, io: CliIo,
): Promise<void> {
  const path = jobId === '_all' ? '/_ml/anomaly_detectors/_stats'
    : jobPath(jobId, '/_stats');
  const stats = await client.request('GET', path);
  if (json) {
    io.stdout(`${JSON.stringify(stats)}\n`);
    return;
  }
  if (!stats.jobs?.length) {
    io.stdout('no jobs\n');
    return;
  }

  const blocks = stats.jobs.map((job: Record<string, any>) => {
    const counts = job.data_counts ?? {};
    const warnings = countWarnings(counts);
    return `job ${job.job_id} (${job.state})\n`
      + keyValueTable(dataCountsRows(counts))
      + warnings.map((warning) => `warning: ${warning}\n`).join('');
  });
  io.stdout(blocks.join('\n'));
}

/**
 * Problems the counts point to, in words, with what to do about them.
 * Each appears only when its counter is above zero.
 */
export function countWarnings(counts: Record<string, unknown>): string[] {
  const n = (name: string) => (typeof counts[name] === 'number'
    ? counts[name] as number : 0);
  const input = n('input_record_count');
  const share = (count: number) => (input > 0
    ? ` (${percent(count, input)} of the input)` : '');
  const warnings: string[] = [];

  const was = (count: number) => (count === 1 ? 'was' : 'were');

  const invalid = n('invalid_date_count');
  if (invalid > 0) {
    warnings.push(`${countOf(invalid, 'record')}${share(invalid)} had no `
      + `time or one that could not be read and ${was(invalid)} skipped; `
      + "check the job's time_field and time_format against the data");
  }
  const late = n('out_of_order_timestamp_count');
  if (late > 0) {
    warnings.push(`${countOf(late, 'record')}${share(late)} ${was(late)} `
      + `older than the latest bucket and ${was(late)} dropped as out of `
      + 'order; send data in time order, or give the job a latency');
  }
  const missing = n('missing_field_count');
  if (missing > 0) {
    warnings.push(`${countOf(missing, 'field')} the job analyses `
      + `${was(missing)} missing from records; check the field names of `
      + 'the detectors');
  }
  const buckets = n('bucket_count');
  const empty = n('empty_bucket_count');
  if (empty > 0) {
    warnings.push(`${formatCount(empty)} of ${countOf(buckets, 'bucket')} `
      + `${was(empty)} empty (the latest starting `
      + `${formatTime(counts.latest_empty_bucket_timestamp)}); the data has `
      + 'gaps, or the bucket span is short for how often records come');
  }
  const sparse = n('sparse_bucket_count');
  if (sparse > 0) {
    warnings.push(`${formatCount(sparse)} of ${countOf(buckets, 'bucket')} `
      + 'held far fewer records than usual (the latest starting '
      + `${formatTime(counts.latest_sparse_bucket_timestamp)}); data may be `
      + 'missing there');
  }
  return warnings;
}

function percent(part: number, whole: number): string {
  const value = (100 * part) / whole;
  return `${value < 0.1 ? value.toPrecision(1) : value.toFixed(1)}%`;
}
