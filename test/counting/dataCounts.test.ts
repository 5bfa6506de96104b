import { describe, expect, test } from 'vitest';
import {
  emptyDataCounts, renderDataCounts,
} from '../../lib/counting/dataCounts.js';

describe('rendering data counts (spec §3.5)', () => {
  test('keeps zero counters, omits null timestamps and derives two counts',
    () => {
      const rendered = renderDataCounts('job', emptyDataCounts(), 2,
        { human: false });
      expect(JSON.stringify(rendered)).toBe('{"job_id":"job",'
        + '"processed_record_count":0,"processed_field_count":0,'
        + '"input_bytes":0,"input_field_count":0,"invalid_date_count":0,'
        + '"missing_field_count":0,"out_of_order_timestamp_count":0,'
        + '"empty_bucket_count":0,"sparse_bucket_count":0,"bucket_count":0,'
        + '"input_record_count":0}');
    });

  test('renders the documented example in the same key order', () => {
    // The post-data example of spec §3.5 (A = 3: 21435 × 3 = 64305).
    const counts = {
      ...emptyDataCounts(),
      processedRecordCount: 21435, inputBytes: 2589063,
      inputFieldCount: 85740, emptyBucketCount: 16, bucketCount: 2165,
      earliestRecordTimestamp: 1454020569000,
      latestRecordTimestamp: 1455318669000, lastDataTime: 1491952300658,
      latestEmptyBucketTimestamp: 1454541600000,
    };
    expect(JSON.stringify(renderDataCounts('it_ops_new_kpi', counts, 3,
      { human: false }))).toBe('{"job_id":"it_ops_new_kpi",'
      + '"processed_record_count":21435,"processed_field_count":64305,'
      + '"input_bytes":2589063,"input_field_count":85740,'
      + '"invalid_date_count":0,"missing_field_count":0,'
      + '"out_of_order_timestamp_count":0,"empty_bucket_count":16,'
      + '"sparse_bucket_count":0,"bucket_count":2165,'
      + '"earliest_record_timestamp":1454020569000,'
      + '"latest_record_timestamp":1455318669000,'
      + '"last_data_time":1491952300658,'
      + '"latest_empty_bucket_timestamp":1454541600000,'
      + '"input_record_count":21435}');
  });

  test('clamps processed_field_count at zero and sums input records', () => {
    // Spec §3.6: 4 processed, A = 1, 3 missing → 1; with 5 missing → 0.
    const counts = { ...emptyDataCounts(), processedRecordCount: 4,
      missingFieldCount: 3, invalidDateCount: 2, outOfOrderTimestampCount: 1 };
    const rendered = renderDataCounts('j', counts, 1, { human: false });
    expect(rendered.processed_field_count).toBe(1);
    expect(rendered.input_record_count).toBe(7);
    counts.missingFieldCount = 5;
    expect(renderDataCounts('j', counts, 1, { human: false })
      .processed_field_count).toBe(0);
  });

  test('puts an ISO string before each present timestamp when human', () => {
    const counts = { ...emptyDataCounts(),
      earliestRecordTimestamp: 1403481600000, logTime: 1403481600001 };
    const rendered = renderDataCounts('j', counts, 1, { human: true });
    const keys = Object.keys(rendered);
    expect(keys.slice(11)).toEqual(['earliest_record_timestamp_string',
      'earliest_record_timestamp', 'input_record_count', 'log_time_string',
      'log_time']);
    expect(rendered.earliest_record_timestamp_string)
      .toBe('2014-06-23T00:00:00.000Z');
    expect(rendered.log_time_string).toBe('2014-06-23T00:00:00.001Z');
  });
});
