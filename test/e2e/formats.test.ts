/**
 * What the wire shows around the counts: content types (§1.3), compressed
 * bodies (§1.8), empty bodies (§1.7), the response's key order, omitted
 * timestamps and `?human`/`?pretty` (§3.4, §3.5, §11.3), and per-upload
 * counts against the totals in `_stats`.
 */
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  fqJob, jobIds, jobsApi, lines, type JobsApi,
} from '../support/api.js';
import { startTestStack, type TestStack } from '../support/localStack.js';

let stack: TestStack;
let api: JobsApi;
const nextJob = jobIds('formats');

beforeAll(async () => {
  stack = await startTestStack();
  api = jobsApi(stack.url);
});
afterAll(async () => {
  await stack.close();
});

const record = (airline: string, time: number) =>
  `{"airline":"${airline}","responsetime":"1.5","time":"${time}"}`;
const twoRecords = lines(record('AAL', 1403481600), record('JZA', 1403481700));

/** §3.5, every key that may appear, in order. */
const KEY_ORDER = [
  'job_id', 'processed_record_count', 'processed_field_count', 'input_bytes',
  'input_field_count', 'invalid_date_count', 'missing_field_count',
  'out_of_order_timestamp_count', 'empty_bucket_count',
  'sparse_bucket_count', 'bucket_count', 'earliest_record_timestamp',
  'latest_record_timestamp', 'last_data_time',
  'latest_empty_bucket_timestamp', 'latest_sparse_bucket_timestamp',
  'input_record_count', 'log_time',
];
const inSpecOrder = (keys: string[]) =>
  KEY_ORDER.filter((key) => keys.includes(key));

async function openJob(): Promise<string> {
  const jobId = nextJob();
  await api.openedJob(jobId, fqJob());
  return jobId;
}

describe('content types (spec §1.3)', () => {
  test.each([
    'application/json', 'application/x-ndjson',
    'application/json; charset=UTF-8',
    'application/vnd.elasticsearch+json; compatible-with=8',
    'application/vnd.elasticsearch+x-ndjson; compatible-with=8',
  ])('accepts %s', async (type) => {
    const answer = await api.post(await openJob(), twoRecords,
      { contentType: type });
    expect(answer.status).toBe(202);
    expect(answer.json.processed_record_count).toBe(2);
  });

  test.each<[string | null, string]>([
    ['application/cbor', 'Content-Type [cbor] does not support stream '
      + 'parsing. Use JSON or SMILE instead'],
    ['application/yaml', 'Content-Type [yaml] does not support stream '
      + 'parsing. Use JSON or SMILE instead'],
    [null, 'Content-Type header is missing'],
    ['text/plain', 'Content-Type header [text/plain] is not supported'],
    ['application/x-www-form-urlencoded', 'Content-Type header '
      + '[application/x-www-form-urlencoded] is not supported'],
    ['multipart/form-data', 'Content-Type header [multipart/form-data] is '
      + 'not supported'],
  ])('refuses %s with the simple 406 body', async (type, error) => {
    const jobId = await openJob();
    const answer = await api.post(jobId, twoRecords, { contentType: type });
    expect(answer.status).toBe(406);
    expect(answer.json).toEqual({ error, status: 406 });
    expect((await api.dataCounts(jobId)).input_bytes).toBe(0);
  });

  test.each<[string, string | null]>([
    ['no body and no type', null],
    ['no body with a JSON type', 'application/json'],
  ])('answers %s with zero counts', async (_name, type) => {
    const answer = await api.post(await openJob(), '', { contentType: type });
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ processed_record_count: 0,
      input_bytes: 0, input_record_count: 0 });
    expect(answer.json.last_data_time).toEqual(expect.any(Number));
  });

  test('counts whitespace as bytes and nothing else', async () => {
    const answer = await api.post(await openJob(), ' \n\t\r\n ');
    expect(answer.json).toMatchObject({ input_bytes: 6,
      input_record_count: 0 });
  });

  test('sends no deprecation warning', async () => {
    const answer = await api.post(await openJob(), twoRecords);
    expect(answer.headers.get('warning')).toBeNull();
    expect(answer.headers.get('content-type'))
      .toBe('application/json; charset=UTF-8');
  });

  test('refuses an unknown query parameter', async () => {
    const answer = await api.post(await openJob(), twoRecords,
      { query: { reset_strat: '10' } });
    expect(answer.status).toBe(400);
    expect(answer.json.error.type).toBe('illegal_argument_exception');
    expect(answer.json.error.reason).toMatch(
      /contains unrecognized parameter: \[reset_strat\]/);
  });
});

describe('compressed bodies (spec §1.8)', () => {
  const plain = Buffer.from(twoRecords);
  test.each<[string, string, Buffer]>([
    ['gzip', 'gzip', gzipSync(plain)],
    ['deflate (zlib)', 'deflate', deflateSync(plain)],
    ['deflate (raw)', 'deflate', deflateRawSync(plain)],
  ])('counts the inflated bytes of a %s body',
    async (_name, encoding, sent) => {
      const answer = await api.post(await openJob(), new Uint8Array(sent),
        { headers: { 'content-encoding': encoding } });
      expect(answer.status).toBe(202);
      expect(answer.json).toMatchObject({ processed_record_count: 2,
        input_bytes: plain.length });
    });

  test('refuses a corrupt gzip body with 400 and counts nothing', async () => {
    const jobId = await openJob();
    const sent = gzipSync(plain).subarray(0, 20);
    const answer = await api.post(jobId, new Uint8Array(sent),
      { headers: { 'content-encoding': 'gzip' } });
    expect(answer.status).toBe(400);
    expect((await api.dataCounts(jobId)).input_record_count).toBe(0);
  });
});

describe('the response body (spec §3.4, §3.5, §11.3)', () => {
  test('keeps the spec key order in a response and in stats', async () => {
    const jobId = await openJob();
    // Hours 1403481600, then 1403488800: 1403485200 closes empty.
    const posted = await api.post(jobId, lines(record('A', 1403481600),
      record('B', 1403488800)));
    expect(posted.json).toHaveProperty('latest_empty_bucket_timestamp',
      1403485200000);
    const keys = Object.keys(posted.json);
    expect(keys).toEqual(inSpecOrder(keys));
    expect(keys).not.toContain('log_time');

    const totals = await api.dataCounts(jobId);
    const totalKeys = Object.keys(totals);
    expect(totalKeys).toEqual(inSpecOrder(totalKeys));
    expect(totalKeys.at(-1)).toBe('log_time');
  });

  test('shows earliest_record_timestamp only with the first record',
    async () => {
      const jobId = await openJob();
      const first = await api.post(jobId, record('A', 1403481600));
      const second = await api.post(jobId, record('B', 1403481700));
      expect(first.json.earliest_record_timestamp).toBe(1403481600000);
      expect(second.json).not.toHaveProperty('earliest_record_timestamp');

      const totals = await api.dataCounts(jobId);
      expect(totals.earliest_record_timestamp).toBe(1403481600000);
      expect(totals.last_data_time).toBe(second.json.last_data_time);
    });

  test('omits every timestamp when an upload has no records', async () => {
    const answer = await api.post(await openJob(), '{"airline":"A"}');
    expect(Object.keys(answer.json)).toEqual([
      'job_id', 'processed_record_count', 'processed_field_count',
      'input_bytes', 'input_field_count', 'invalid_date_count',
      'missing_field_count', 'out_of_order_timestamp_count',
      'empty_bucket_count', 'sparse_bucket_count', 'bucket_count',
      'last_data_time', 'input_record_count',
    ]);
  });

  test('keeps a session empty-bucket time in later responses', async () => {
    const jobId = await openJob();
    await api.post(jobId, lines(record('A', 1403481600),
      record('B', 1403488800)));
    const later = await api.post(jobId, record('C', 1403488900));
    expect(later.json).toMatchObject({ empty_bucket_count: 0,
      latest_empty_bucket_timestamp: 1403485200000 });
  });

  test('adds ISO companions before each timestamp with ?human',
    async () => {
      const jobId = await openJob();
      const answer = await api.post(jobId, twoRecords,
        { query: { human: 'true' } });
      const keys = Object.keys(answer.json);
      const at = (key: string) => keys.indexOf(key);
      expect(answer.json).toMatchObject({
        earliest_record_timestamp_string: '2014-06-23T00:00:00.000Z',
        latest_record_timestamp_string: '2014-06-23T00:01:40.000Z',
        last_data_time_string: new Date(answer.json.last_data_time)
          .toISOString(),
      });
      for (const name of ['earliest_record_timestamp',
        'latest_record_timestamp', 'last_data_time']) {
        expect(at(`${name}_string`)).toBe(at(name) - 1);
      }
      const stats = await api.stats(jobId, { human: 'true' });
      expect(stats.json.jobs[0].data_counts.log_time_string)
        .toEqual(expect.any(String));
    });

  test('indents with ?pretty', async () => {
    const jobId = await openJob();
    const answer = await api.post(jobId, twoRecords,
      { query: { pretty: 'true' } });
    expect(answer.text.startsWith(
      `{\n  "job_id" : "${jobId}",\n  "processed_record_count" : 2,\n`))
      .toBe(true);
    expect(answer.text.endsWith('}\n')).toBe(true);
  });
});

describe('uploads against totals', () => {
  test('the totals are the sum of the uploads', async () => {
    const jobId = await openJob();
    const bodies = [
      lines(record('A', 1403481600), '{}'),
      lines(record('B', 1403485200), record('C', 1403470000)),
      lines(record('D', 1403492400), '{"time":"x"}'),
    ];
    const answers: Array<Record<string, number>> = [];
    for (const body of bodies) answers.push((await api.post(jobId, body)).json);

    const sum = (key: string) =>
      answers.reduce((total, a) => total + (a[key] as number), 0);
    const totals = await api.dataCounts(jobId);
    // processed_field_count is left out: it is clamped at 0 per
    // accumulator (§3.6), so the first upload's 1 × 2 − 3 shows as 0
    // while the totals give 3 × 2 − 5 = 1.
    for (const key of ['processed_record_count', 'input_bytes',
      'input_field_count', 'invalid_date_count',
      'missing_field_count', 'out_of_order_timestamp_count',
      'empty_bucket_count', 'bucket_count', 'input_record_count']) {
      expect(totals[key], key).toBe(sum(key));
    }
    // By hand: 3 processed; {} and "x" invalid; 1403470000 out of order,
    // being below the hour 1403485200 of the upload's latest record.
    expect(totals).toMatchObject({ processed_record_count: 3,
      processed_field_count: 1,
      invalid_date_count: 2, out_of_order_timestamp_count: 1,
      input_bytes: bodies.reduce((n, b) => n + Buffer.byteLength(b), 0),
      latest_record_timestamp: 1403492400000,
      last_data_time: answers[2].last_data_time });
  });

  test('an open job reports with A = 1 until its first upload', async () => {
    // §3.6: after a reopen, stats use 1 analysed field per record until
    // an upload sets A = 2 again: 2 × 1 − 0, then 2 × 2 − 0.
    const jobId = await openJob();
    await api.post(jobId, twoRecords);
    await api.close(jobId);
    expect((await api.dataCounts(jobId)).processed_field_count).toBe(4);
    await api.open(jobId);
    expect((await api.dataCounts(jobId)).processed_field_count).toBe(2);
    await api.post(jobId, '');
    expect((await api.dataCounts(jobId)).processed_field_count).toBe(4);
  });
});
