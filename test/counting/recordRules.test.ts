import { describe, expect, test } from 'vitest';
import {
  analysedFieldCount, inputFieldSet,
} from '../../lib/counting/inputFields.js';
import { initialCountingState, openSession } from '../../lib/counting/session.js';
import type { CountingConfig } from '../../lib/counting/types.js';
import { openedState, post, rendered, valueConfig } from './uploads.js';

/** Records with three leaves (time, metric, value), as in spec §10.7. */
function metricBody(times: readonly number[]): string {
  return times.map((t) => `{"time":"${t}","metric":"foo","value":"${t}.0"}`)
    .join('\n');
}

function postTimes(config: CountingConfig, times: readonly number[]) {
  return rendered(post(config, openedState(config), metricBody(times)));
}

describe('the out-of-order rule (spec §5.5, §10.7)', () => {
  test('drops records before the latest one-second bucket (J3)', () => {
    expect(postTimes(valueConfig({ bucketSpanMs: 1000 }), [3, 1, 2]))
      .toMatchObject({ processed_record_count: 1,
        out_of_order_timestamp_count: 2, input_field_count: 6,
        input_record_count: 3, latest_record_timestamp: 3000 });
  });

  test('accepts anything inside the latest ten-second bucket (J4)', () => {
    // floor(12 s, 10 s) = 10 s: only the final 2 is below it.
    expect(postTimes(valueConfig({ bucketSpanMs: 10_000 }),
      [4, 5, 3, 4, 2, 12, 2])).toMatchObject({ processed_record_count: 6,
      out_of_order_timestamp_count: 1, input_field_count: 14, bucket_count: 1,
      latest_record_timestamp: 12000 });
  });

  test('lets the latency widen the accepted range (J5)', () => {
    // Threshold 5 − 2 = 3 s; 2 < 3 is out of order.
    expect(postTimes(valueConfig({ bucketSpanMs: 1000, latencyMs: 2000 }),
      [4, 5, 3, 4, 2])).toMatchObject({ processed_record_count: 4,
      out_of_order_timestamp_count: 1, bucket_count: 2 });
  });

  test('measures against the persisted latest time of the job', () => {
    const config = valueConfig();
    const persisted = initialCountingState();
    persisted.totals.latestRecordTimestamp = 1403482000000;
    const state = openSession(config, persisted);
    expect(rendered(post(config, state, metricBody([1403481600]))))
      .toMatchObject({ processed_record_count: 1,
        out_of_order_timestamp_count: 0 });
    expect(rendered(post(config, state, metricBody([1403478000]))))
      .toMatchObject({ processed_record_count: 0,
        out_of_order_timestamp_count: 1 });
  });

  test('drops times before 1970 minus the latency on a fresh job', () => {
    // Spec §5.1: L = 0, threshold −latency; −3 s < −2 s, −2 s is not.
    expect(postTimes(valueConfig({ latencyMs: 2000 }), [-3, -2]))
      .toMatchObject({ processed_record_count: 1,
        out_of_order_timestamp_count: 1 });
  });
});

describe('records of the JSON writer tests (spec §10.7)', () => {
  test('counts two records in consecutive seconds (J1)', () => {
    expect(postTimes(valueConfig({ bucketSpanMs: 1000 }), [1, 2]))
      .toMatchObject({ processed_record_count: 2, input_field_count: 4,
        processed_field_count: 2, earliest_record_timestamp: 1000,
        latest_record_timestamp: 2000, bucket_count: 1 });
  });

  test('counts an array, even an empty one, as one field (J9)', () => {
    const body = '{"time":"1", "array":["foo", "bar"], "value":"1.0"}\n'
      + '{"time":"2", "array":[], "value":"2.0"}';
    expect(rendered(post(valueConfig(), openedState(valueConfig()), body)))
      .toMatchObject({ processed_record_count: 2, input_field_count: 4 });
  });

  test('counts missing fields and an empty object (J10)', () => {
    const config = valueConfig({ latencyMs: 2000 });
    const body = ['{"time":"1", "f1":"foo", "value":"1.0"}',
      '{"time":"2", "value":"2.0"}', '{"time":"3", "f1":"bar"}', '{}',
      '{"time":"4", "value":"3.0"}'].join('\n');
    expect(rendered(post(config, openedState(config), body))).toMatchObject({
      processed_record_count: 4, invalid_date_count: 1,
      missing_field_count: 3, input_field_count: 5, processed_field_count: 1,
      input_record_count: 5, earliest_record_timestamp: 1000,
      latest_record_timestamp: 4000 });
  });
});

describe('what counts as an invalid date (spec §4.5)', () => {
  const config = valueConfig();
  const counts = (record: string) =>
    post(config, openedState(config), record).counts;

  test.each([
    ['null', '{"time":null,"value":1}', 0],
    ['empty', '{"time":"","value":1}', 0],
    ['boolean', '{"time":true,"value":1}', 0],
    ['a two-element array', '{"time":[1,2],"value":1}', 0],
    ['absent', '{"value":1}', 1],
    ['an object', '{"time":{"a":1},"value":1}', 1],
  ])('treats a time that is %s as invalid', (_, record, missing) => {
    expect(counts(record)).toMatchObject({ invalidDateCount: 1,
      missingFieldCount: missing, processedRecordCount: 0 });
  });

  test('reads a one-element array as its element', () => {
    expect(counts('{"time":[1403481600],"value":1}')).toMatchObject({
      processedRecordCount: 1, latestRecordTimestamp: 1403481600000 });
  });
});

describe('input_field_count per record (spec §6.4)', () => {
  const config = valueConfig();
  test.each([
    ['{"airline":"AAL","responsetime":"132.2046","sourcetype":"farequote",'
      + '"time":"1403481600"}', 3],
    ['{"airline":"AAL","responsetime":"132.2046","time":"1403481600"}', 2],
    ['{"time":"1","f1":"foo","value":"1.0"}', 2],
    ['{"time":"2","value":"2.0"}', 1],
    ['{}', 0],
    ['{"a":10,"b":20,"c":{"d":30,"e":40}}', 3],
    ['{"a":[10,11],"b":20,"c":{"d":30,"e":[40,50]},"f":["a","a","a","a"],'
      + '"g":20}', 5],
  ])('adds one less than the leaves of %s', (record, expected) => {
    expect(post(config, openedState(config), record).counts.inputFieldCount)
      .toBe(expected);
  });
});

describe('the input field set (spec §6.1)', () => {
  test('collects detector fields and the time field', () => {
    const fields = inputFieldSet({ detectors: [{ field_name: 'responsetime',
      by_field_name: 'airline' }] }, 'time');
    expect(fields.sort()).toEqual(['airline', 'responsetime', 'time']);
    expect(analysedFieldCount(fields)).toBe(2);
  });

  test('collapses duplicates across detectors and influencers', () => {
    const fields = inputFieldSet({
      detectors: [{ field_name: 'value', by_field_name: 'metric',
        partition_field_name: 'host' }, { field_name: 'value' }],
      influencers: ['host', 'metric'],
    }, 'time_field');
    expect(fields.sort()).toEqual(['host', 'metric', 'time_field', 'value']);
    expect(analysedFieldCount(fields)).toBe(3);
  });

  test('gives A = 0 for a count detector without fields', () => {
    expect(analysedFieldCount(inputFieldSet({ detectors: [{}] }, 'time')))
      .toBe(0);
  });

  test('reads the categorisation field but never mlcategory', () => {
    const fields = inputFieldSet({ detectors: [{ by_field_name: 'mlcategory' }],
      categorization_field_name: 'message' }, 'time');
    expect(fields.sort()).toEqual(['message', 'time']);
    expect(analysedFieldCount(fields)).toBe(1);
  });

  test('counts influencers no detector uses, and the summary count field',
    () => {
      const fields = inputFieldSet({ detectors: [{}], influencers: ['user', ''],
        summary_count_field_name: 'doc_count' }, 'time');
      expect(fields.sort()).toEqual(['doc_count', 'time', 'user']);
    });
});
