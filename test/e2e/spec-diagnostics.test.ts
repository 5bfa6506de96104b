/**
 * Spec §10.5 (D1-D14, bucket diagnostics) and §10.6 (R1-R11, the data
 * counts reporter) through uploads over HTTP. The D-cases feed their times
 * as `epoch_ms` records to a count job with a 60 s bucket span; "flush" in
 * the spec is the end of an upload. Their expected tuples are the job
 * totals (bucket, empty, sparse, latest empty, latest sparse).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jobIds, jobsApi, type JobsApi } from '../support/api.js';
import { startTestStack, type TestStack } from '../support/localStack.js';

let stack: TestStack;
let api: JobsApi;
const nextJob = jobIds('diag');

beforeAll(async () => {
  stack = await startTestStack();
  api = jobsApi(stack.url);
});
afterAll(async () => {
  await stack.close();
});

/** A count job (A = 0) on epoch-ms times with 60 s buckets. */
function countJob(latency?: string): object {
  return {
    analysis_config: { bucket_span: '60s', latency,
      detectors: [{ function: 'count' }] },
    data_description: { time_format: 'epoch_ms' },
  };
}

/** `many(min, max, n)` of §10.5: n times min + (i mod (max − min)). */
function many(min: number, max: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => min + (i % (max - min)));
}

const body = (times: readonly number[]) =>
  times.map((t) => `{"time":${t}}`).join('\n');

type Tuple = [number, number, number, number | null, number | null];

function tupleOf(counts: Record<string, unknown>): Tuple {
  return [
    counts.bucket_count as number,
    counts.empty_bucket_count as number,
    counts.sparse_bucket_count as number,
    (counts.latest_empty_bucket_timestamp as number | undefined) ?? null,
    (counts.latest_sparse_bucket_timestamp as number | undefined) ?? null,
  ];
}

/** Posts each upload in turn and returns the job's totals afterwards. */
async function totalsAfter(
  uploads: number[][], latency?: string,
): Promise<Record<string, unknown>> {
  const jobId = nextJob();
  await api.openedJob(jobId, countJob(latency));
  for (const times of uploads) {
    const answer = await api.post(jobId, body(times));
    expect(answer.status).toBe(202);
  }
  return api.dataCounts(jobId);
}

const D6 = [10000, 70000, 190000, 250000, 310000, 370000, 490000, 550000];
const D8 = [
  many(10000, 69000, 1000), many(70000, 129000, 1200),
  many(130000, 189000, 1), many(190000, 249000, 1100),
  many(250000, 309000, 1300), many(310000, 369000, 1050),
  many(370000, 429000, 1022), many(430000, 489000, 10),
  many(490000, 549000, 1333), many(550000, 609000, 1400),
].flat();
const D9 = [
  many(10000, 69000, 1000), many(70000, 129000, 1200),
  many(130000, 189000, 1), many(190000, 249000, 1100),
  many(250000, 309000, 1300), many(310000, 369000, 1050),
  many(370000, 429000, 1022), many(430000, 489000, 1400),
  many(490000, 549000, 1333), many(550000, 609000, 10),
].flat();
const D10 = [
  many(10000, 69000, 1000), many(70000, 129000, 1200),
  many(130000, 189000, 1), many(190000, 249000, 1100),
  many(250000, 309000, 1300), many(310000, 369000, 1050),
  many(370000, 429000, 1022), many(430000, 489000, 1400),
  many(490000, 549000, 9), many(550000, 609000, 10),
].flat();
const D11 = [
  many(10000, 69000, 1000), many(70000, 129000, 1200),
  many(130000, 189000, 1), many(250000, 309000, 1300),
  many(310000, 369000, 1050), many(370000, 429000, 1022),
  many(430000, 489000, 10), many(550000, 609000, 1400),
].flat();
const tenSteps = Array.from({ length: 10 }, (_, k) => 70000 + k * 60000);

/** D4/D5: for ts = 70000, 130000, … below 70000 + 20 × 60000. */
function d4Times(): number[] {
  const times: number[] = [];
  for (let ts = 70000; ts < 70000 + 20 * 60000; ts += 60000) {
    times.push(...many(ts - 60000, 2 * ts, 100));
  }
  return times;
}

describe('bucket diagnostics (spec §10.5)', () => {
  test('D1: finalises buckets only when time moves past them', async () => {
    const jobId = nextJob();
    await api.openedJob(jobId, countJob());
    const steps: Array<[number[], Tuple]> = [
      [[1000, 2000, 3000], [0, 0, 0, null, null]],
      [[4000, 5000, 6000], [0, 0, 0, null, null]],
      [[61000, 62000], [1, 0, 0, null, null]],
      [[181000, 181001], [3, 1, 0, 120000, null]],
    ];
    for (const [times, expected] of steps) {
      await api.post(jobId, body(times));
      expect(tupleOf(await api.dataCounts(jobId))).toEqual(expected);
    }
  });

  test.each<[string, number[][], string | undefined, Tuple]>([
    ['D2: ten ascending buckets', [tenSteps], undefined,
      [9, 0, 0, null, null]],
    // Descending times are out of order without a latency; 600 s keeps
    // the window at 10 buckets and lets every one in (threshold
    // 600 − 600 = 0 s).
    ['D3: the same ten buckets descending', [[...tenSteps].reverse()],
      '600s', [9, 0, 0, null, null]],
    ['D6: two gaps', [D6], undefined, [9, 2, 0, 420000, null]],
    ['D7: two gaps later on',
      [[1110000, 1170000, 1290000, 1350000, 1410000, 1470000, 1590000,
        1650000]], undefined, [9, 2, 0, 1500000, null]],
    ['D8: two sparse buckets', [D8], undefined, [9, 0, 2, null, 420000]],
    ['D9: a sparse last bucket is not finalised', [D9], undefined,
      [9, 0, 1, null, 120000]],
    ['D10: a sparse bucket before the last', [D10], undefined,
      [9, 0, 2, null, 480000]],
    ['D11: gaps and sparse buckets together', [D11], undefined,
      [9, 2, 2, 480000, 420000]],
    ['D12: a jump of 100 empty buckets', [[...D6, 6490000]], undefined,
      [108, 100, 0, 6420000, null]],
    ['D13: the same as D8', [D8], undefined, [9, 0, 2, null, 420000]],
    ['D14: no records', [[]], undefined, [0, 0, 0, null, null]],
  ])('%s', async (_name, uploads, latency, expected) => {
    expect(tupleOf(await totalsAfter(uploads, latency))).toEqual(expected);
  });

  // Before the end of the upload the spec has 10 (D4) and 6 (D5); an
  // upload always ends with the flush, so only the final 19 shows here.
  test.each([
    ['D4', '180s'],
    ['D5', '790s'], // 13 × 60 s + 10 s: a window of 14 buckets
  ])('%s: latency changes no count after the flush', async (_name, latency) => {
    expect((await totalsAfter([d4Times()], latency)).bucket_count).toBe(19);
  });
});

describe('the data counts reporter (spec §10.6)', () => {
  /**
   * metric(value) by f1 partition f2 → inputs {time, value, f1, f2},
   * A = 3; span 300 s; times in ms.
   */
  const reporterJob = {
    analysis_config: { bucket_span: '300s', detectors: [{ function: 'metric',
      field_name: 'value', by_field_name: 'f1', partition_field_name: 'f2' }] },
    data_description: { time_format: 'epoch_ms' },
  };
  /** Six leaves, so 5 input fields; `missing` leaves out f2. */
  const record = (time: number, missing = false) => missing
    ? `{"time":${time},"value":1,"f1":"a","x":1,"y":2,"z":3}`
    : `{"time":${time},"value":1,"f1":"a","f2":"b","x":1,"y":2}`;

  test('R1: a new job reports zeros', async () => {
    const jobId = nextJob();
    await api.openedJob(jobId, reporterJob);
    const counts = await api.dataCounts(jobId);
    expect(counts).toMatchObject({ processed_record_count: 0,
      processed_field_count: 0, input_bytes: 0, input_field_count: 0,
      invalid_date_count: 0, missing_field_count: 0,
      out_of_order_timestamp_count: 0, empty_bucket_count: 0,
      sparse_bucket_count: 0, bucket_count: 0, input_record_count: 0 });
    expect(counts).not.toHaveProperty('earliest_record_timestamp');
  });

  test('R2: an empty upload after a reopen reports zeros', async () => {
    const jobId = nextJob();
    await api.openedJob(jobId, reporterJob);
    await api.post(jobId, record(1000));
    await api.close(jobId);
    await api.open(jobId);

    const answer = await api.post(jobId, '');
    expect(answer.json).toMatchObject({ processed_record_count: 0,
      input_bytes: 0, input_record_count: 0, bucket_count: 0 });
    expect(answer.json).not.toHaveProperty('earliest_record_timestamp');
    expect(await api.dataCounts(jobId)).toMatchObject({
      processed_record_count: 1, earliest_record_timestamp: 1000 });
  });

  test('R3: the second upload closes two buckets, one empty', async () => {
    const jobId = nextJob();
    await api.openedJob(jobId, reporterJob);
    // 2 records × 5 fields; pfc 2 × 3.
    const first = await api.post(jobId,
      [record(1000), record(1000)].join('\n'));
    expect(first.json).toMatchObject({ input_record_count: 2,
      input_field_count: 10, processed_record_count: 2,
      processed_field_count: 6, latest_record_timestamp: 1000 });

    // Buckets 0 and 300000 close (300000 empty); 600000 is the latest.
    const second = await api.post(jobId,
      [record(602000), record(602000)].join('\n'));
    expect(second.json).toMatchObject({ input_record_count: 2,
      input_field_count: 10, processed_record_count: 2,
      processed_field_count: 6, latest_record_timestamp: 602000,
      bucket_count: 2, empty_bucket_count: 1, sparse_bucket_count: 0 });
    expect(await api.dataCounts(jobId)).toMatchObject({
      input_record_count: 4, input_field_count: 20,
      processed_record_count: 4, processed_field_count: 12,
      latest_record_timestamp: 602000, bucket_count: 2,
      empty_bucket_count: 1, sparse_bucket_count: 0 });
  });

  test('R5 and R11: a missing field lowers the processed fields',
    async () => {
      const jobId = nextJob();
      await api.openedJob(jobId, reporterJob);
      const posted = await api.post(jobId,
        [record(2000), record(3000, true)].join('\n'));
      const before = Date.now();

      // pfc = 2 × 3 − 1.
      const expected = { processed_record_count: 2, processed_field_count: 5,
        input_field_count: 10, invalid_date_count: 0, missing_field_count: 1,
        out_of_order_timestamp_count: 0, empty_bucket_count: 0,
        sparse_bucket_count: 0, bucket_count: 0,
        earliest_record_timestamp: 2000, latest_record_timestamp: 3000,
        input_record_count: 2 };
      expect(posted.json).toMatchObject(expected);
      expect(Math.abs(posted.json.last_data_time - before)).toBeLessThan(1000);
      await api.close(jobId);
      const totals = await api.dataCounts(jobId);
      expect(totals).toMatchObject(expected);
      expect(totals.last_data_time).toBe(posted.json.last_data_time);
    });

  // R6-R10 go up to two million records; the two smallest sizes are
  // enough over HTTP, the counting core's tests carry the rest.
  test.each([9999, 30001])('R6-R7: %i records add up exactly', async (n) => {
    const jobId = nextJob();
    await api.openedJob(jobId, reporterJob);
    const times = Array.from({ length: n }, (_, i) => i + 1);

    const answer = await api.post(jobId,
      times.map((t) => record(t)).join('\n'));
    expect(answer.json).toMatchObject({ input_record_count: n,
      input_field_count: 5 * n, processed_record_count: n,
      processed_field_count: 3 * n, latest_record_timestamp: n });
  });
});
