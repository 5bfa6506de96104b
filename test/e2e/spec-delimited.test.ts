/**
 * Spec §10.10 (CSV1-CSV8): the legacy `delimited` format through jobs
 * created with it. Elasticsearch ran these tests under the out-of-order
 * rule from before 7.13 with 5 m buckets; this service applies the current
 * rule to every format (§11.6 "all other rules as for JSON"), so the cases
 * that hinge on order use 1 s buckets, under which both rules drop the
 * same records.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jobIds, jobsApi, type JobsApi } from '../support/api.js';
import { startTestStack, type TestStack } from '../support/localStack.js';

let stack: TestStack;
let api: JobsApi;
const nextJob = jobIds('csv');

beforeAll(async () => {
  stack = await startTestStack();
  api = jobsApi(stack.url);
});
afterAll(async () => {
  await stack.close();
});

/** metric(value), comma-delimited, epoch seconds: inputs {time, value}. */
function csvJob(analysis: object = {}): object {
  return {
    analysis_config: { bucket_span: '5m',
      detectors: [{ function: 'metric', field_name: 'value' }], ...analysis },
    data_description: { format: 'delimited', field_delimiter: ',',
      time_format: 'epoch' },
  };
}

async function postCsv(job: object, body: string) {
  const jobId = nextJob();
  await api.openedJob(jobId, job);
  return { jobId, answer: await api.post(jobId, body) };
}

describe('the delimited writer (spec §10.10)', () => {
  test.each<[string, object, string, Record<string, number>]>([
    ['CSV1 counts two rows', csvJob(),
      'time,metric,value\n1,foo,1.0\n2,bar,2.0\n',
      // Header width 3 − 1 = 2 fields a row; A = 1.
      { processed_record_count: 2, input_field_count: 4,
        processed_field_count: 2, missing_field_count: 0,
        earliest_record_timestamp: 1000, latest_record_timestamp: 2000 }],
    ['CSV2 reads the categorization field',
      csvJob({ categorization_field_name: 'message',
        detectors: [{ function: 'count', by_field_name: 'mlcategory' }] }),
      'time,message\n1,Node 1 started\n2,Node 2 started\n',
      // Inputs {time, message}: A = 1; header width 2 − 1 = 1 a row.
      { processed_record_count: 2, input_field_count: 2,
        processed_field_count: 2, missing_field_count: 0 }],
    ['CSV3 drops rows before the latest bucket', csvJob({ bucket_span: '1s' }),
      'time,metric,value\n3,foo,3.0\n1,bar,2.0\n2,bar,2.0\n',
      // 1 and 2 are below 3 s; each row adds 2; the latest stays 3000.
      { processed_record_count: 1, out_of_order_timestamp_count: 2,
        input_field_count: 6, latest_record_timestamp: 3000 }],
    ['CSV5 keeps rows within the latency',
      csvJob({ bucket_span: '1s', latency: '2s' }),
      'time,metric,value\n4,foo,4.0\n5,foo,5.0\n3,foo,3.0\n4,foo,4.0\n'
        + '2,foo,2.0\n\0\n',
      // 2 < 5 − 2. The one-column `\0` row: an invalid time and value
      // missing. Six rows × 2 fields; pfc = 4 × 1 − 1.
      { processed_record_count: 4, out_of_order_timestamp_count: 1,
        invalid_date_count: 1, missing_field_count: 1,
        input_field_count: 12, processed_field_count: 3 }],
    ['CSV6 reads columns by header name and a short last row', csvJob(),
      'metric,value,time\nfoo,4.0,1\n\0foo,5.0,2\nfoo,3.0,3\nbar,4.0,4\n\0',
      // Rows at 1-4 s; the last `\0` lacks value and time (2 missing) and
      // is an invalid date. 5 rows × 2 fields; pfc = 4 × 1 − 2.
      { processed_record_count: 4, invalid_date_count: 1,
        missing_field_count: 2, input_field_count: 10,
        processed_field_count: 2, earliest_record_timestamp: 1000,
        latest_record_timestamp: 4000 }],
    ['CSV7 answers an empty body with zeros', csvJob(), '',
      { input_bytes: 0, input_record_count: 0, processed_record_count: 0 }],
  ])('%s', async (_name, job, body, expected) => {
    const { answer } = await postCsv(job, body);
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({
      input_bytes: Buffer.byteLength(body), ...expected });
  });

  test('CSV4 drops every row older than the persisted latest', async () => {
    const { jobId } = await postCsv(csvJob({ bucket_span: '1s' }),
      'time,metric,value\n5,foo,5.0\n');
    await api.close(jobId);
    await api.open(jobId);

    const answer = await api.post(jobId,
      'time,metric,value\n1,foo,1.0\n2,foo,2.0\n');
    // Both below floor(5000 ms, 1 s) = 5 s. The response's latest shows
    // the last out-of-order time, 2000; the totals keep 5000.
    expect(answer.json).toMatchObject({ processed_record_count: 0,
      out_of_order_timestamp_count: 2, latest_record_timestamp: 2000 });
    expect((await api.dataCounts(jobId)).latest_record_timestamp).toBe(5000);
  });

  test('CSV8 refuses a quoted column open for over 10,000 lines',
    async () => {
      const body = 'time,metric,value\n1,"foo\n'
        + 'x\n'.repeat(10_001) + '",1.0\n';
      const { jobId, answer } = await postCsv(csvJob(), body);
      expect(answer.status).toBe(400);
      expect(answer.json.error.reason).toBe('max number of lines to read '
        + 'exceeded while reading quoted column beginning on line 2 and '
        + 'ending on line 10001');
      expect((await api.dataCounts(jobId)).input_record_count).toBe(0);
    });

  test('refuses a header without a configured field', async () => {
    const { answer } = await postCsv(csvJob(), 'time,metric\n1,foo\n');
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({
      type: 'illegal_argument_exception',
      reason: "Field configured for analysis 'value' is not in the CSV "
        + "header '[time, metric]'",
    });
  });
});
