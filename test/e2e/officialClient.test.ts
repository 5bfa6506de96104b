/**
 * The official Elasticsearch JavaScript client against the local stack
 * with API keys on: it checks the product header of every answer and
 * sends Elasticsearch's vendor media types, so this is what a user of
 * the client meets.
 */
import { Client, errors } from '@elastic/elasticsearch';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestStack, type TestStack } from '../support/localStack.js';
import { farequoteRows } from '../support/sharedData.js';

let stack: TestStack;
let client: Client;

beforeAll(async () => {
  stack = await startTestStack({}, 'on');
  client = new Client({ node: stack.url,
    auth: { apiKey: await stack.savedKey() } });
});

afterAll(async () => {
  await client?.close();
  await stack?.close();
});

const JOB = 'client-farequote';
const ROWS = 300;

test('runs a job from creation to deletion through the client', async () => {
  const put = await client.ml.putJob({
    job_id: JOB, ignore_unavailable: true, expand_wildcards: 'open',
    analysis_config: { bucket_span: '5m', detectors: [{
      function: 'mean', field_name: 'responsetime',
      by_field_name: 'airline' }] },
    data_description: { time_field: 'time', time_format: 'epoch' },
  });
  expect(put.job_id).toBe(JOB);
  expect(put.create_time).toBeTypeOf('number');

  const exported = await client.ml.getJobs({
    job_id: JOB, allow_no_match: false, exclude_generated: true });
  expect(exported.jobs[0].job_id).toBe(JOB);
  expect(exported.jobs[0]).not.toHaveProperty('create_time');
  expect(exported.jobs[0]).not.toHaveProperty('job_version');

  const opened = await client.ml.openJob({ job_id: JOB });
  expect(opened.opened).toBe(true);

  const records = farequoteRows().slice(0, ROWS).map((row) => ({
    time: row.epochSeconds, airline: row.airline,
    responsetime: row.responsetime, sourcetype: row.sourcetype,
  }));
  const posted = await client.ml.postData({ job_id: JOB, data: records });
  // The client sends one JSON.stringify line per record, each ending in
  // a newline; the bytes are counted as they arrive.
  const bytes = records.reduce(
    (sum, record) => sum + JSON.stringify(record).length + 1, 0);
  // Rows 1 and 300 of farequote.csv: 2015-12-07T00:00:00Z and
  // 2015-12-07T00:28:11Z (1449446400 + 28 × 60 + 11 = 1449448091).
  const counts = {
    processed_record_count: ROWS, input_record_count: ROWS,
    input_bytes: bytes,
    input_field_count: ROWS * 3, // 4 fields each, less the time
    processed_field_count: ROWS * 2, // A = 2: responsetime, airline
    invalid_date_count: 0, missing_field_count: 0,
    out_of_order_timestamp_count: 0,
    earliest_record_timestamp: 1449446400000,
    latest_record_timestamp: 1449448091000,
    // Five-minute buckets from 00:00 to 00:25 close (every minute of the
    // file has records); the one from 00:25 holds the latest record.
    bucket_count: 5, empty_bucket_count: 0, sparse_bucket_count: 0,
  };
  expect(posted).toMatchObject(counts);

  const stats = await client.ml.getJobStats({ job_id: JOB });
  expect(stats.count).toBe(1);
  expect(stats.jobs[0].state).toBe('opened');
  expect(stats.jobs[0].data_counts).toMatchObject(counts);

  const flushed = await client.ml.flushJob({ job_id: JOB });
  expect(flushed.flushed).toBe(true);

  const closed = await client.ml.closeJob({ job_id: JOB });
  expect(closed.closed).toBe(true);

  const deleted = await client.ml.deleteJob({ job_id: JOB });
  expect(deleted.acknowledged).toBe(true);
});

test('raises a ResponseError with status and type for a missing job',
  async () => {
    const error = await client.ml.getJobs({ job_id: 'no-such-job' })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(errors.ResponseError);
    const response = error as errors.ResponseError;
    expect(response.statusCode).toBe(404);
    expect(response.body).toMatchObject({
      error: { type: 'resource_not_found_exception',
        reason: 'No known job with id \'no-such-job\'' },
      status: 404,
    });
  });
