import { describe, expect, test } from 'vitest';
import {
  closeSession, flushEngine, initialCountingState, openSession, startUpload,
} from '../../lib/counting/session.js';
import {
  fqConfig, LIMITS, NOW, openedState, post, rendered, renderedTotals, reopen,
} from './uploads.js';

const fq = fqConfig();

function fqLine(airline: string, responsetime: string, time: number): string {
  return `{"airline":"${airline}","responsetime":"${responsetime}",`
    + `"sourcetype":"farequote","time":"${time}"}`;
}

const I1_BODY = [fqLine('AAL', '132.2046', 1403481600),
  fqLine('JZA', '990.4628', 1403481700)].join('\n');

describe('a session of uploads (spec §10.4 I1-I3)', () => {
  test('counts two farequote records in one hour bucket (I1)', () => {
    const result = post(fq, openedState(fq), I1_BODY);
    const expected = {
      processed_record_count: 2, processed_field_count: 4, input_bytes: 177,
      input_field_count: 6, invalid_date_count: 0, missing_field_count: 0,
      out_of_order_timestamp_count: 0, bucket_count: 0,
      earliest_record_timestamp: 1403481600000,
      latest_record_timestamp: 1403481700000,
    };
    expect(rendered(result)).toMatchObject(expected);
    expect(renderedTotals(closeSession(result.state))).toMatchObject(expected);
    expect(flushEngine(fq, result.state, {}).lastFinalizedBucketEndMs)
      .toBe(1403481600000);
  });

  test('counts the 1000-hour gap after a reopen as buckets (I2)', () => {
    const first = post(fq, openedState(fq), [
      fqLine('AAL', '132.2046', 1403481600), fqLine('JZA', '990.4628', 1403481700),
      fqLine('JBU', '877.5927', 1403481800), fqLine('KLM', '1355.4812', 1403481900),
      fqLine('NKS', '9991.3981', 1403482000)].join('\n'));
    expect(rendered(first)).toMatchObject({
      processed_record_count: 5, processed_field_count: 10, input_bytes: 446,
      input_field_count: 15, bucket_count: 0,
      earliest_record_timestamp: 1403481600000,
      latest_record_timestamp: 1403482000000,
    });
    expect(flushEngine(fq, first.state, {}).lastFinalizedBucketEndMs)
      .toBe(1403481600000);

    const second = post(fq, reopen(fq, first.state), [
      fqLine('AAL', '136.2361', 1407081600), fqLine('VRD', '282.9847', 1407081700),
      fqLine('JAL', '493.0338', 1407081800), fqLine('UAL', '8.4275', 1407081900),
      fqLine('FFT', '221.8693', 1407082000)].join('\n'));
    const response = rendered(second);
    expect(response).toMatchObject({
      processed_record_count: 5, processed_field_count: 10, input_bytes: 442,
      input_field_count: 15, invalid_date_count: 0, missing_field_count: 0,
      out_of_order_timestamp_count: 0, bucket_count: 1000,
      empty_bucket_count: 999, sparse_bucket_count: 0,
      latest_empty_bucket_timestamp: 1407078000000,
      latest_record_timestamp: 1407082000000,
    });
    expect(response).not.toHaveProperty('earliest_record_timestamp');
    expect(renderedTotals(closeSession(second.state))).toMatchObject({
      processed_record_count: 10, processed_field_count: 20, input_bytes: 888,
      input_field_count: 30, bucket_count: 1000, empty_bucket_count: 999,
      earliest_record_timestamp: 1403481600000,
      latest_record_timestamp: 1407082000000,
    });
  });

  test('continues bucket counts seamlessly over a reopen with a gap (I3)', () => {
    const count = fqConfig({ inputFields: ['time'] });
    const hours = (from: number) => Array.from({ length: 10 },
      (_, k) => `{"time":${1483228800 + (from + k) * 3600}}`).join('\n');

    const first = post(count, openedState(count), hours(0));
    expect(first.counts.bucketCount).toBe(9);
    const second = post(count, reopen(count, first.state), hours(20));
    expect(rendered(second)).toMatchObject({
      bucket_count: 20, empty_bucket_count: 10,
      latest_empty_bucket_timestamp: 1483297200000,
    });
    expect(renderedTotals(closeSession(second.state))).toMatchObject({
      processed_record_count: 20, processed_field_count: 0,
      bucket_count: 29, empty_bucket_count: 10,
      latest_record_timestamp: 1483333200000,
    });
  });
});

describe('derived end-to-end scenarios (spec §10.11)', () => {
  test('counts missing fields and invalid dates of one upload (DV1)', () => {
    const body = ['{"airline":"A","responsetime":1,"time":1403481600}', '{}',
      '{"airline":"B","time":"oops"}'].join('\n');
    expect(rendered(post(fq, openedState(fq), body))).toMatchObject({
      processed_record_count: 1, invalid_date_count: 2,
      missing_field_count: 4, input_field_count: 3, processed_field_count: 0,
      input_record_count: 3, earliest_record_timestamp: 1403481600000,
      latest_record_timestamp: 1403481600000,
    });
  });

  test('reports an out-of-order time only in the upload (DV2)', () => {
    const after = post(fq, openedState(fq), I1_BODY).state;
    const result = post(fq, after,
      '{"airline":"A","responsetime":1,"time":1403478000}');
    expect(rendered(result)).toMatchObject({ out_of_order_timestamp_count: 1,
      processed_record_count: 0, latest_record_timestamp: 1403478000000 });
    expect(result.state.totals.latestRecordTimestamp).toBe(1403481700000);
  });

  test('accepts a record exactly at the latency threshold (DV3)', () => {
    const withLatency = fqConfig({ latencyMs: 3_600_000 });
    const after = post(withLatency, openedState(withLatency), I1_BODY).state;
    const result = post(withLatency, after,
      '{"airline":"A","responsetime":1,"time":1403478000}');
    expect(result.counts.processedRecordCount).toBe(1);
    expect(result.counts.outOfOrderTimestampCount).toBe(0);
  });
});

describe('DataCountsReporter cases through uploads (spec §10.6)', () => {
  // metric(field) with A = 3: input fields {time, a, b, c}; span 300 s.
  // "5 fields" records have 6 leaves (one is taken off for the time).
  const job = fqConfig({ inputFields: ['time', 'a', 'b', 'c'],
    timeFormat: 'epoch_ms', bucketSpanMs: 300_000 });
  const sixLeaves = (t: number) =>
    `{"time":"${t}","a":1,"b":2,"c":3,"d":4,"e":5}`;
  const missingC = (t: number) =>
    `{"time":"${t}","a":1,"b":2,"x":3,"y":4,"z":5}`;

  test('starts every upload from zero counts (R1)', () => {
    expect(rendered(post(job, openedState(job), ''))).toMatchObject({
      processed_record_count: 0, input_bytes: 0, input_record_count: 0,
      bucket_count: 0, last_data_time: NOW,
    });
  });

  test('keeps persisted totals but not in the upload (R2)', () => {
    const persisted = initialCountingState();
    Object.assign(persisted.totals, { processedRecordCount: 1, inputBytes: 2,
      invalidDateCount: 3, missingFieldCount: 4, outOfOrderTimestampCount: 5,
      emptyBucketCount: 6, sparseBucketCount: 7, bucketCount: 8,
      earliestRecordTimestamp: 1000, latestRecordTimestamp: 2000 });
    const result = post(job, openSession(job, persisted), '');
    expect(rendered(result)).toMatchObject({ processed_record_count: 0,
      input_bytes: 0, invalid_date_count: 0, missing_field_count: 0,
      out_of_order_timestamp_count: 0, empty_bucket_count: 0,
      sparse_bucket_count: 0, bucket_count: 0 });
    expect(result.counts.earliestRecordTimestamp).toBeNull();
    expect(result.state.totals).toMatchObject({ processedRecordCount: 1,
      inputBytes: 2, invalidDateCount: 3, missingFieldCount: 4,
      outOfOrderTimestampCount: 5, emptyBucketCount: 6,
      sparseBucketCount: 7, bucketCount: 8 });
  });

  test('adds two uploads into the totals and counts an empty bucket (R3)',
    () => {
      const first = post(job, openedState(job), [sixLeaves(1000),
        sixLeaves(1000)].join('\n'));
      const expectedFirst = { input_record_count: 2, input_field_count: 10,
        processed_record_count: 2, processed_field_count: 6,
        latest_record_timestamp: 1000 };
      expect(rendered(first)).toMatchObject(expectedFirst);
      expect(renderedTotals(first.state)).toMatchObject(expectedFirst);

      const second = post(job, first.state, [sixLeaves(602000),
        sixLeaves(602000)].join('\n'));
      // Buckets 0 and 300000 are finalised, 300000 empty; 600000 is latest.
      expect(rendered(second)).toMatchObject({ input_record_count: 2,
        input_field_count: 10, processed_record_count: 2,
        processed_field_count: 6, latest_record_timestamp: 602000,
        bucket_count: 2, empty_bucket_count: 1, sparse_bucket_count: 0 });
      expect(renderedTotals(second.state)).toMatchObject({
        input_record_count: 4, input_field_count: 20,
        processed_record_count: 4, processed_field_count: 12,
        latest_record_timestamp: 602000, bucket_count: 2,
        empty_bucket_count: 1, sparse_bucket_count: 0 });
    });

  test('takes missing fields off processed_field_count (R5, R11)', () => {
    const body = [sixLeaves(2000), missingC(3000)].join('\n');
    const result = post(job, openedState(job), body);
    const expected = { processed_record_count: 2, processed_field_count: 5,
      input_bytes: new TextEncoder().encode(body).length,
      input_field_count: 10, invalid_date_count: 0, missing_field_count: 1,
      out_of_order_timestamp_count: 0, empty_bucket_count: 0,
      sparse_bucket_count: 0, bucket_count: 0,
      earliest_record_timestamp: 2000, latest_record_timestamp: 3000,
      last_data_time: NOW, input_record_count: 2 };
    expect(rendered(result)).toEqual({ job_id: 'job', ...expected });
    expect(renderedTotals(result.state))
      .toEqual({ job_id: 'job', ...expected, log_time: NOW });
  });

  test.each([9_999, 30_001, 100_000])(
    'counts %i records at 1 ms steps (R6-R8)', (n) => {
      const body = Array.from({ length: n }, (_, i) => sixLeaves(i + 1))
        .join('\n');
      expect(rendered(post(job, openedState(job), body))).toMatchObject({
        input_record_count: n, input_field_count: 5 * n,
        processed_record_count: n, processed_field_count: 3 * n,
        latest_record_timestamp: n });
    });
});

describe('the state around uploads', () => {
  test('starts with zero totals, A = 1 and no session', () => {
    const state = initialCountingState();
    expect(state.analysedFieldCount).toBe(1);
    expect(state.diagnostics).toBeNull();
    expect(state.lastFinalizedBucketEndSec).toBeNull();
    expect(renderedTotals(state)).toMatchObject({ processed_record_count: 0,
      input_record_count: 0 });
  });

  test('resets A to 1 at open until the next upload sets it (spec §3.6)',
    () => {
      const after = post(fq, openedState(fq), I1_BODY).state;
      expect(after.analysedFieldCount).toBe(2);
      const reopened = reopen(fq, after);
      expect(reopened.analysedFieldCount).toBe(1);
      // 2 processed × A 1 − 0 missing.
      expect(renderedTotals(reopened).processed_field_count).toBe(2);
    });

  test('never changes the state it is given, even when an upload fails',
    () => {
      const state = post(fq, openedState(fq), I1_BODY).state;
      const before = structuredClone(state);
      post(fq, state, I1_BODY.replace(/1403481/g, '1403489'));
      const upload = startUpload(fq, state, { now: () => NOW, limits: LIMITS });
      upload.write(new TextEncoder().encode('{"time":1403489000}\n{"ti'));
      expect(() => upload.end()).toThrow('The input JSON data is malformed.');
      expect(state).toEqual(before);
    });

  test('carries the session latest empty bucket into later uploads', () => {
    // Spec §3.4: records at hours 0 and 2 finalise empty hour 1; the next
    // upload finalises nothing new but still reports it.
    const first = post(fq, openedState(fq),
      '{"time":1403481600}\n{"time":1403488800}');
    expect(first.counts.latestEmptyBucketTimestamp).toBe(1403485200000);
    const second = post(fq, first.state, '{"time":1403488900}');
    expect(second.counts.emptyBucketCount).toBe(0);
    expect(second.counts.latestEmptyBucketTimestamp).toBe(1403485200000);
    const afterReopen = post(fq, reopen(fq, second.state),
      '{"time":1403488901}');
    expect(afterReopen.counts.latestEmptyBucketTimestamp).toBeNull();
  });
});

describe('flush and the engine clock (spec §8.4)', () => {
  test('reports no finalised bucket end before any data (Y2)', () => {
    expect(flushEngine(fq, openedState(fq), {}).lastFinalizedBucketEndMs)
      .toBeNull();
  });

  test('moves the clock to the next bucket start with skip_time (Y3)', () => {
    const line = (t: number) =>
      `{"airline":"AAL","responsetime":132.2046,"sourcetype":"post-data-job",`
      + `"time":${t}}`;
    const first = post(fq, openedState(fq),
      [line(1403481600), line(1403485200)].join('\n'));
    expect(rendered(first)).toMatchObject({ processed_record_count: 2,
      out_of_order_timestamp_count: 0, bucket_count: 1,
      earliest_record_timestamp: 1403481600000,
      latest_record_timestamp: 1403485200000 });

    const flushed = flushEngine(fq, first.state, { skipTimeSec: 1403488700 });
    expect(flushed.lastFinalizedBucketEndMs).toBe(1403488800000);

    const second = post(fq, flushed.state,
      [line(1403488600), line(1403488700)].join('\n'));
    const secondResponse = rendered(second);
    expect(secondResponse).toMatchObject({ processed_record_count: 2,
      out_of_order_timestamp_count: 0, bucket_count: 0,
      latest_record_timestamp: 1403488700000 });
    expect(secondResponse).not.toHaveProperty('earliest_record_timestamp');

    const third = post(fq, second.state,
      [line(1403488900), line(1403492400)].join('\n'));
    expect(rendered(third)).toMatchObject({ processed_record_count: 2,
      bucket_count: 2, latest_record_timestamp: 1403492400000 });
    expect(renderedTotals(third.state)).toMatchObject({
      processed_record_count: 6, processed_field_count: 12,
      input_field_count: 18, bucket_count: 3, empty_bucket_count: 0 });
  });

  test('reports advance_time on a bucket boundary as the end', () => {
    // The flush docs' example: 1514804400 is a whole hour (420779 × 3600).
    const flushed = flushEngine(fq, openedState(fq),
      { advanceTimeSec: 1514804400 });
    expect(flushed.lastFinalizedBucketEndMs).toBe(1514804400000);
  });

  test('starts the clock one latency before the first bucket', () => {
    // floor(1403481700, 3600) − 600 = 1403481000; 1403481000 + 3600 + 600
    // = 1403485200 > 1403481700, so it stays.
    const withLatency = fqConfig({ latencyMs: 600_000 });
    const result = post(withLatency, openedState(withLatency),
      '{"time":1403481700}');
    expect(flushEngine(withLatency, result.state, {})
      .lastFinalizedBucketEndMs).toBe(1403481000000);
  });
});
