import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { fqConfig, openedState, post, rendered } from './uploads.js';

const dataDir = new URL('../../../shared/data/', import.meta.url);
const read = (name: string) =>
  readFileSync(fileURLToPath(new URL(name, dataDir)));
const CHUNK = 64 * 1024;

describe('real data files', () => {
  test('counts big_ascending.txt with an English month pattern', () => {
    // count by response, span 1 h; times from 17/May/2015:08:05:37 +0000
    // (1431849937) to 04/Jun/2015:06:06:42 +0000 (1433398002).
    const config = fqConfig({ inputFields: ['response', 'time'],
      timeFormat: 'dd/MMM/yyyy:HH:mm:ss Z' });
    const result = post(config, openedState(config), read('big_ascending.txt'),
      CHUNK);
    expect(rendered(result)).toMatchObject({
      processed_record_count: 514, invalid_date_count: 0,
      missing_field_count: 0, out_of_order_timestamp_count: 0,
      input_bytes: 121_450,
      earliest_record_timestamp: 1431849937000,
      latest_record_timestamp: 1433398002000,
    });
  });

  test('counts incomplete_initial_bucket.txt without a final newline', () => {
    // sum(bytes) by status partition clientip, span 15 m: both records are
    // in the bucket starting 1585698300 (1585698939 − 639), so none closes.
    const config = fqConfig({ inputFields: ['bytes', 'status', 'clientip',
      'time'], bucketSpanMs: 900_000 });
    const result = post(config, openedState(config),
      read('incomplete_initial_bucket.txt'));
    expect(rendered(result)).toMatchObject({
      processed_record_count: 2, bucket_count: 0, input_bytes: 169,
      earliest_record_timestamp: 1585698939000,
      latest_record_timestamp: 1585698945000,
    });
  });

  describe('farequote.csv as NDJSON', () => {
    // 86,275 CRLF rows of time,airline,responsetime,sourcetype.
    const rows = read('farequote.csv').toString('utf8').split('\r\n')
      .filter((row) => row !== '').map((row) => row.split(','));
    const job = { inputFields: ['airline', 'responsetime', 'time'],
      bucketSpanMs: 900_000 };
    const expected = {
      processed_record_count: 86_275, invalid_date_count: 0,
      missing_field_count: 0, out_of_order_timestamp_count: 0,
      // 2015-12-07T00:00:00Z and 2015-12-11T23:59:56Z.
      earliest_record_timestamp: 1449446400000,
      latest_record_timestamp: 1449878396000,
    };
    const ndjson = (time: (text: string) => string) => rows.map(
      ([t, airline, responsetime, sourcetype]) => JSON.stringify({ time: time(t),
        airline, responsetime, sourcetype })).join('\n');

    test('counts every row with the time as text and a pattern', () => {
      const config = fqConfig({ ...job,
        timeFormat: "yyyy-MM-dd'T'HH:mm:ssZ" });
      const result = post(config, openedState(config),
        ndjson((t) => t), CHUNK);
      expect(rendered(result)).toMatchObject(expected);
    });

    test('counts every row with the time as epoch seconds', () => {
      const config = fqConfig({ ...job, timeFormat: 'epoch' });
      expect(rows.every(([t]) => t.endsWith('+0000'))).toBe(true);
      const toSeconds = (t: string) =>
        String(Date.parse(t.replace('+0000', 'Z')) / 1000);
      const result = post(config, openedState(config), ndjson(toSeconds),
        CHUNK);
      expect(rendered(result)).toMatchObject(expected);
    });
  });
});
