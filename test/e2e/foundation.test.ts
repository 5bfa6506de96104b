import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLocalStack } from '../../infra/local/stack.js';
import { startTestStack, type TestStack } from '../support/localStack.js';
import {
  farequoteEpochNdjson, farequoteRows,
} from '../support/sharedData.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.close();
});

/** The job of the README's curl session: 15-minute buckets, epoch times. */
const farequoteJob = {
  analysis_config: {
    bucket_span: '15m',
    detectors: [{
      function: 'mean', field_name: 'responsetime', by_field_name: 'airline',
    }],
  },
  data_description: { time_field: 'time', time_format: 'epoch' },
};

interface Answer {
  status: number;
  json: any;
}

async function call(
  base: string, method: string, path: string,
  body?: string | Uint8Array, headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    body,
    // Bytes go without a Content-Type unless one is given; text is JSON.
    headers: typeof body !== 'string' || 'content-type' in headers
      ? headers : { 'content-type': 'application/json', ...headers },
  });
  const text = await response.text();
  return {
    status: response.status,
    json: text === '' ? undefined : JSON.parse(text),
  };
}

async function openJob(base: string, jobId: string, job: object) {
  expect((await call(base, 'PUT', `/_ml/anomaly_detectors/${jobId}`,
    JSON.stringify(job))).status).toBe(200);
  expect((await call(base, 'POST',
    `/_ml/anomaly_detectors/${jobId}/_open`)).status).toBe(200);
}

const ndjson = { 'content-type': 'application/x-ndjson' };

async function totals(base: string, jobId: string) {
  const stats = await call(base, 'GET',
    `/_ml/anomaly_detectors/${jobId}/_stats`);
  return stats.json.jobs[0].data_counts;
}

describe('the README session: farequote as NDJSON with epoch times', () => {
  test('gives the counts of the real file', async () => {
    await openJob(stack.url, 'farequote', farequoteJob);
    const body = farequoteEpochNdjson();

    const posted = await call(stack.url, 'POST',
      '/_ml/anomaly_detectors/farequote/_data', body, ndjson);

    // 86,275 rows of four fields; A = |{airline, responsetime, time}| - 1
    // = 2. The rows fill all 480 quarter hours from 2015-12-07T00:00Z to
    // 2015-12-11T23:45Z (counted per bucket with awk: 142 to 295 rows
    // each), so 479 buckets are finalised, none empty, none sparse.
    expect(posted.status).toBe(202);
    expect(posted.json).toEqual({
      job_id: 'farequote',
      processed_record_count: 86_275,
      processed_field_count: 86_275 * 2,
      input_bytes: Buffer.byteLength(body),
      input_field_count: 86_275 * 3,
      invalid_date_count: 0,
      missing_field_count: 0,
      out_of_order_timestamp_count: 0,
      empty_bucket_count: 0,
      sparse_bucket_count: 0,
      bucket_count: 479,
      earliest_record_timestamp: 1449446400000,
      latest_record_timestamp: 1449878396000,
      last_data_time: expect.any(Number),
      input_record_count: 86_275,
    });
    expect(await totals(stack.url, 'farequote')).toMatchObject({
      processed_record_count: 86_275, bucket_count: 479,
      log_time: expect.any(Number),
    });
  });

  test('works the same under the older _xpack/ml path', async () => {
    await openJob(stack.url, 'farequote-xpack', farequoteJob);
    const rows = farequoteRows().slice(0, 10);

    const posted = await call(stack.url, 'POST',
      '/_xpack/ml/anomaly_detectors/farequote-xpack/_data',
      farequoteEpochNdjson(rows), ndjson);

    expect(posted.status).toBe(202);
    expect(posted.json.processed_record_count).toBe(10);
  });
});

describe('two uploads to one job at once', () => {
  test('count as if run one after the other, losing nothing', async () => {
    await openJob(stack.url, 'concurrent', farequoteJob);
    // The two halves of the first day: whichever runs second is mostly out
    // of order, but each record is counted once, processed or out of order.
    const day = farequoteRows().filter((row) =>
      row.time.startsWith('2015-12-07'));
    const half = Math.floor(day.length / 2);
    const bodies = [farequoteEpochNdjson(day.slice(0, half)),
      farequoteEpochNdjson(day.slice(half))];

    const answers = await Promise.all(bodies.map((body) => call(stack.url,
      'POST', '/_ml/anomaly_detectors/concurrent/_data', body, ndjson)));

    expect(answers.map((answer) => answer.status)).toEqual([202, 202]);
    const [a, b] = answers.map((answer) => answer.json);
    const total = await totals(stack.url, 'concurrent');
    expect(total.input_record_count).toBe(day.length);
    expect(total.input_bytes).toBe(
      Buffer.byteLength(bodies[0]) + Buffer.byteLength(bodies[1]));
    expect(total.processed_record_count)
      .toBe(a.processed_record_count + b.processed_record_count);
    expect(total.out_of_order_timestamp_count)
      .toBe(a.out_of_order_timestamp_count + b.out_of_order_timestamp_count);
    // Whichever ran first saw nothing out of order.
    expect(Math.min(a.out_of_order_timestamp_count,
      b.out_of_order_timestamp_count)).toBe(0);
  });
});

describe('a restart between uploads', () => {
  test('keeps the latest record time of the first upload', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ml-intake-restart-'));
    const start = () => startLocalStack({
      host: '127.0.0.1', port: 0, s3Port: 0, dataDir, auth: 'off',
      logger: pino({ level: 'silent' }),
    });
    try {
      const first = await start();
      await openJob(first.url, 'restart', farequoteJob);
      const rows = farequoteRows();
      await call(first.url, 'POST', '/_ml/anomaly_detectors/restart/_data',
        farequoteEpochNdjson(rows.slice(1000, 1010)), ndjson);
      await first.close();

      const second = await start();
      // Row 0 is at 2015-12-07T00:00Z, hours before the bucket of row 1009.
      const late = await call(second.url, 'POST',
        '/_ml/anomaly_detectors/restart/_data',
        farequoteEpochNdjson(rows.slice(0, 1)), ndjson);
      await second.close();

      expect(late.json).toMatchObject({
        processed_record_count: 0, out_of_order_timestamp_count: 1,
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('bad input changes no counts', () => {
  beforeAll(async () => {
    await openJob(stack.url, 'guarded', farequoteJob);
    await call(stack.url, 'POST', '/_ml/anomaly_detectors/guarded/_data',
      farequoteEpochNdjson(farequoteRows().slice(0, 5)), ndjson);
  });

  const cases: Array<{
    name: string; method: string; path: string; body?: string | Uint8Array;
    headers?: Record<string, string>; status: number; expected: object;
  }> = [
    {
      name: 'a body that ends inside a record',
      method: 'POST', path: '/_ml/anomaly_detectors/guarded/_data',
      body: '{"time":1449446400,"airline":"AAL"}\n{"time', headers: ndjson,
      status: 400,
      expected: { error: { type: 'parse_exception',
        reason: 'The input JSON data is malformed.' } },
    },
    {
      name: 'an unknown route',
      method: 'GET', path: '/_ml/nothing_here', status: 400,
      expected: {
        error: 'no handler found for uri [/_ml/nothing_here] and method [GET]',
      },
    },
    {
      name: 'a wrong method',
      method: 'GET', path: '/_ml/anomaly_detectors/guarded/_data',
      status: 405,
      expected: {
        error: 'Incorrect HTTP method for uri ' +
          '[/_ml/anomaly_detectors/guarded/_data] and method [GET], ' +
          'allowed: [POST]',
        status: 405,
      },
    },
    {
      name: 'a body without a Content-Type',
      method: 'POST', path: '/_ml/anomaly_detectors/guarded/_data',
      body: new TextEncoder().encode('{"time":1449446400}'),
      status: 406,
      expected: { error: 'Content-Type header is missing', status: 406 },
    },
    {
      name: 'an unsupported Content-Type',
      method: 'POST', path: '/_ml/anomaly_detectors/guarded/_data',
      body: '{"time":1449446400}', headers: { 'content-type': 'text/plain' },
      status: 406,
      expected: {
        error: 'Content-Type header [text/plain] is not supported',
        status: 406,
      },
    },
    {
      name: 'a job id with capitals',
      method: 'PUT', path: '/_ml/anomaly_detectors/Guarded',
      body: JSON.stringify(farequoteJob), status: 400,
      expected: { error: { type: 'status_exception', reason: 'Invalid ' +
        "job_id; 'Guarded' can contain lowercase alphanumeric (a-z and " +
        '0-9), hyphens or underscores; must start and end with ' +
        'alphanumeric' } },
    },
    {
      name: 'a body job id that differs from the URL',
      method: 'PUT', path: '/_ml/anomaly_detectors/an_id',
      body: JSON.stringify({ ...farequoteJob, job_id: 'a_different_id' }),
      status: 400,
      expected: { error: { type: 'illegal_argument_exception',
        reason: "Inconsistent job_id; 'a_different_id' specified in the " +
          "body differs from 'an_id' specified as a URL argument" } },
    },
    {
      name: 'posting to an unknown job',
      method: 'POST', path: '/_ml/anomaly_detectors/no-such-job/_data',
      body: '{"time":1449446400}', headers: ndjson, status: 404,
      expected: { error: { type: 'resource_not_found_exception',
        reason: "No known job with id 'no-such-job'" } },
    },
  ];

  test.each(cases)('$name gets $status', async (input) => {
    const before = await totals(stack.url, 'guarded');

    const answer = await call(stack.url, input.method, input.path,
      input.body, input.headers);

    expect(answer.status).toBe(input.status);
    expect(answer.json).toMatchObject(input.expected);
    expect(await totals(stack.url, 'guarded')).toEqual(before);
  });

  test('posting to a closed job gets 409 and counts nothing', async () => {
    await call(stack.url, 'PUT', '/_ml/anomaly_detectors/shut',
      JSON.stringify(farequoteJob));

    const answer = await call(stack.url, 'POST',
      '/_ml/anomaly_detectors/shut/_data', '{"time":1449446400}', ndjson);

    expect(answer.status).toBe(409);
    expect(answer.json.error).toMatchObject({ type: 'status_exception',
      reason: 'Cannot perform requested action because job [shut] is not ' +
        'open' });
    expect((await totals(stack.url, 'shut')).input_record_count).toBe(0);
  });
});
