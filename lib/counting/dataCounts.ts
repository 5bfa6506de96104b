// Contract stub: implemented by the counting-rules work.
import type { DataCounts } from './types.js';

export function emptyDataCounts(): DataCounts {
  throw new Error('not implemented');
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
  throw new Error(`not implemented ${String([jobId, counts,
    analysedFieldCount, options])}`);
}
