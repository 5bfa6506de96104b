/**
 * The real data files (shared/data, see its README) posted over HTTP.
 * Expected values come from the files' documented contents; derived ones
 * carry their arithmetic.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jobIds, jobsApi, type JobsApi } from '../support/api.js';
import { startTestStack, type TestStack } from '../support/localStack.js';
import { farequoteRows, readSharedData } from '../support/sharedData.js';

let stack: TestStack;
let api: JobsApi;
const nextJob = jobIds('real');

beforeAll(async () => {
  stack = await startTestStack();
  api = jobsApi(stack.url);
});
afterAll(async () => {
  await stack.close();
});

async function postToNewJob(job: object, body: string) {
  const jobId = nextJob();
  await api.openedJob(jobId, job);
  const answer = await api.post(jobId, body);
  expect(answer.status).toBe(202);
  return { jobId, answer };
}

test('big_ascending.txt: 514 access-log records with English months',
  async () => {
    const { answer } = await postToNewJob({
      analysis_config: { bucket_span: '1h',
        detectors: [{ function: 'count', by_field_name: 'response' }] },
      data_description: { time_format: 'dd/MMM/yyyy:HH:mm:ss Z' },
    }, readSharedData('big_ascending.txt'));

    expect(answer.json).toMatchObject({
      processed_record_count: 514, invalid_date_count: 0,
      missing_field_count: 0, out_of_order_timestamp_count: 0,
      input_bytes: 121_450, // the file's size
      input_field_count: 514 * 7, // 8 fields each, less one
      processed_field_count: 514, // A = 1 (response)
      // 17/May/2015:08:05:37 +0000 and 04/Jun/2015:06:06:42 +0000.
      earliest_record_timestamp: 1431849937000,
      latest_record_timestamp: 1433398002000,
      // Hours from 1431849600 up to, not including, 1433397600:
      // 1548000 / 3600.
      bucket_count: 430,
    });
  });

test('incomplete_initial_bucket.txt: two records, no final newline',
  async () => {
    const { answer } = await postToNewJob({
      analysis_config: { bucket_span: '15m', detectors: [{
        function: 'sum', field_name: 'bytes', by_field_name: 'status',
        partition_field_name: 'clientip' }] },
      data_description: { time_format: 'epoch' },
    }, readSharedData('incomplete_initial_bucket.txt'));

    // Both in the bucket from 1585698300 (1585698939 − 639): none closes.
    // 4 fields each, less one; A = 3 (bytes, status, clientip).
    expect(answer.json).toMatchObject({
      processed_record_count: 2, bucket_count: 0, input_bytes: 169,
      input_field_count: 6, processed_field_count: 6,
      missing_field_count: 0,
      earliest_record_timestamp: 1585698939000,
      latest_record_timestamp: 1585698945000,
    });
  });

describe('farequote.csv (86,275 rows)', () => {
  const analysis = { bucket_span: '15m', detectors: [{ function: 'metric',
    field_name: 'responsetime', by_field_name: 'airline' }] };
  const expected = {
    processed_record_count: 86_275, invalid_date_count: 0,
    missing_field_count: 0, out_of_order_timestamp_count: 0,
    input_field_count: 86_275 * 3, // 4 fields (or columns) each, less one
    processed_field_count: 86_275 * 2, // A = 2
    // 2015-12-07T00:00:00Z and 2015-12-11T23:59:56Z.
    earliest_record_timestamp: 1449446400000,
    latest_record_timestamp: 1449878396000,
    // 5 days × 96 = 480 quarter hours, all holding 142 to 295 records:
    // the last holds the latest record, so 479 close, none empty or
    // sparse.
    bucket_count: 479, empty_bucket_count: 0, sparse_bucket_count: 0,
  };

  test('as NDJSON with the time as written', async () => {
    const body = farequoteRows().map((row) => JSON.stringify({
      time: row.time, airline: row.airline,
      responsetime: row.responsetime, sourcetype: row.sourcetype,
    })).join('\n');
    const { jobId, answer } = await postToNewJob({
      analysis_config: analysis,
      data_description: { time_format: "yyyy-MM-dd'T'HH:mm:ssZ" },
    }, body);

    expect(answer.json).toMatchObject({
      ...expected, input_bytes: Buffer.byteLength(body) });
    expect(await api.dataCounts(jobId)).toMatchObject(expected);
  });

  test('as delimited with a header line added', async () => {
    const header = 'time,airline,responsetime,sourcetype\r\n';
    const body = header + readSharedData('farequote.csv');
    const { answer } = await postToNewJob({
      analysis_config: analysis,
      data_description: { format: 'delimited', field_delimiter: ',',
        time_format: "yyyy-MM-dd'T'HH:mm:ssZ" },
    }, body);

    // The file's 4,191,884 bytes and the header's 38.
    expect(answer.json).toMatchObject({
      ...expected, input_bytes: 4_191_884 + 38 });
  });
});
