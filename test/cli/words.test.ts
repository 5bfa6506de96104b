import { describe, expect, test } from 'vitest';
import { addCounts, emptyCounts } from '../../lib/cli/dataCountsSum.js';
import { parseDetector } from '../../lib/cli/detectorSpec.js';
import { formatSize, parseSize } from '../../lib/cli/byteSizes.js';
import { countWarnings } from '../../lib/cli/statsCommand.js';
import { dataCountsRows } from '../../lib/cli/textTable.js';

describe('detectors written in words', () => {
  test('reads a function, its field and a by field', () => {
    expect(parseDetector('mean(responsetime) by airline')).toEqual({
      function: 'mean', field_name: 'responsetime', by_field_name: 'airline',
    });
  });

  test('reads a count over a field, partitioned', () => {
    expect(parseDetector('count over clientip partition host')).toEqual({
      function: 'count', over_field_name: 'clientip',
      partition_field_name: 'host',
    });
  });

  test('refuses a clause it does not know', () => {
    expect(() => parseDetector('mean(x) near y'))
      .toThrow("cannot read detector 'mean(x) near y'");
  });
});

describe('sizes', () => {
  test('reads units of 1024 and plain bytes', () => {
    expect(parseSize('5mb')).toBe(5 * 1024 * 1024);
    expect(parseSize('512KB')).toBe(512 * 1024);
    expect(parseSize('1000')).toBe(1000);
  });

  test('writes a size back in the largest unit that divides it', () => {
    expect(formatSize(1024 * 1024)).toBe('1mb');
    expect(formatSize(64 * 1024)).toBe('64kb');
    expect(formatSize(1000)).toBe('1000');
  });
});

describe('adding the counts of consecutive uploads', () => {
  test('sums counters and keeps the first earliest and the last latest',
    () => {
      const first = {
        job_id: 'j', processed_record_count: 3, input_bytes: 30,
        earliest_record_timestamp: 1000, latest_record_timestamp: 3000,
        last_data_time: 50, input_record_count: 3,
      };
      // The second upload does not repeat the job's earliest record.
      const second = {
        job_id: 'j', processed_record_count: 2, input_bytes: 20,
        latest_record_timestamp: 5000, last_data_time: 60,
        latest_empty_bucket_timestamp: 4000, input_record_count: 2,
      };

      const sum = addCounts(addCounts(emptyCounts('j'), first), second);

      expect(sum).toMatchObject({
        processed_record_count: 5, input_bytes: 50, input_record_count: 5,
        earliest_record_timestamp: 1000, latest_record_timestamp: 5000,
        last_data_time: 60, latest_empty_bucket_timestamp: 4000,
      });
      expect(sum).not.toHaveProperty('latest_sparse_bucket_timestamp');
    });

  test('keeps every key, in the API key order (spec §3.5)', () => {
    const upload = {
      job_id: 'j', processed_record_count: 1, processed_field_count: 2,
      input_bytes: 30, input_field_count: 3, invalid_date_count: 0,
      missing_field_count: 0, out_of_order_timestamp_count: 0,
      empty_bucket_count: 0, sparse_bucket_count: 0, bucket_count: 0,
      earliest_record_timestamp: 1000, latest_record_timestamp: 1000,
      last_data_time: 5, input_record_count: 1, log_time: 9,
    };

    expect(Object.keys(addCounts(emptyCounts('j'), upload)))
      .toEqual(Object.keys(upload));
  });
});

describe('the data counts as a table', () => {
  test('names every counter in words and shows the timestamps present',
    () => {
      const rows = dataCountsRows({
        processed_record_count: 2, input_bytes: 64,
        earliest_record_timestamp: 1_449_446_400_000,
      });

      expect(rows).toEqual([
        ['processed records', '2'], ['processed fields', '-'],
        ['input bytes', '64'], ['input fields', '-'],
        ['invalid dates', '-'], ['missing fields', '-'],
        ['out of order timestamps', '-'], ['empty buckets', '-'],
        ['sparse buckets', '-'], ['buckets', '-'], ['input records', '-'],
        ['earliest record', '2015-12-07T00:00:00.000Z'],
      ]);
    });
});

describe('warnings of ml-intake stats', () => {
  test('speaks of one record, field or bucket in the singular', () => {
    const warnings = countWarnings({
      input_record_count: 1, invalid_date_count: 1, missing_field_count: 1,
      bucket_count: 1, empty_bucket_count: 1,
    });

    expect(warnings[0]).toMatch(new RegExp('^1 record \\(100\\.0% of the '
      + 'input\\) had no time or one that could not be read and was '
      + 'skipped;'));
    expect(warnings[1]).toMatch(/^1 field the job analyses was missing/);
    expect(warnings[2]).toMatch(/^1 of 1 bucket was empty/);
  });

  test('says nothing about clean counts', () => {
    expect(countWarnings({ input_record_count: 10,
      processed_record_count: 10 })).toEqual([]);
  });

  test('names each problem with its share of the input', () => {
    const warnings = countWarnings({
      input_record_count: 200, invalid_date_count: 2,
      out_of_order_timestamp_count: 50, missing_field_count: 1,
      bucket_count: 24, empty_bucket_count: 3, sparse_bucket_count: 1,
      latest_empty_bucket_timestamp: 1449446400000,
      latest_sparse_bucket_timestamp: 1449450000000,
    });

    // 2 of 200 is 1.0%; 50 of 200 is 25.0%.
    expect(warnings).toHaveLength(5);
    expect(warnings[0]).toMatch(/^2 records \(1\.0% of the input\) had no time/);
    expect(warnings[1]).toMatch(/^50 records \(25\.0% of the input\) were older/);
    expect(warnings[2]).toMatch(/^1 field the job analyses was missing/);
    expect(warnings[3]).toMatch(
      /^3 of 24 buckets were empty \(the latest starting 2015-12-07T00:00:00/);
    expect(warnings[4]).toMatch(new RegExp('^1 of 24 buckets held far '
      + 'fewer records than usual \\(the latest starting '
      + '2015-12-07T01:00:00'));
  });
});
