/**
 * Spec §10.7 (J1-J11), §10.8 (X1-X8), §10.11 (DV1-DV4) and the worked
 * examples of §3.6, §5.5 and §6.4, each as one upload over HTTP to a fresh
 * job. Where the spec gives rows forwarded to the engine, the expected
 * counts are derived from them by §3.3; the arithmetic is next to each.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  fqJob, jobIds, jobsApi, lines, valueJob, type ApiAnswer, type JobsApi,
} from '../support/api.js';
import { startTestStack, type TestStack } from '../support/localStack.js';

let stack: TestStack;
let api: JobsApi;
const nextJob = jobIds('writer');

beforeAll(async () => {
  stack = await startTestStack();
  api = jobsApi(stack.url);
});
afterAll(async () => {
  await stack.close();
});

/** Creates and opens a job, then posts one body to it. */
async function postToNewJob(job: object, body: string): Promise<ApiAnswer> {
  const jobId = nextJob();
  await api.openedJob(jobId, job);
  return api.post(jobId, body);
}

interface UploadCase {
  name: string;
  job: object;
  body: string;
  /** A subset of the 202 response; input_bytes is always the body length. */
  expected: Record<string, number>;
  /** Keys that must not be in the response. */
  absent?: string[];
}

const span1s = { bucket_span: '1s' };
const latency2s = { latency: '2s' };
/** §10.7: records of three leaves, `time`, `metric` and `value`. */
const tmv = (time: number) =>
  `{"time":"${time}", "metric":"foo", "value":"${time}.0"}`;

const writerCases: UploadCase[] = [
  {
    name: 'J1 counts two records in adjacent one-second buckets',
    job: valueJob(span1s),
    body: '{"time":"1", "metric":"foo", "value":"1.0"}'
      + '{"time":"2", "metric":"bar", "value":"2.0"}',
    // 3 leaves − 1 = 2 each; A = 1; bucket 1000 closed by the record at 2 s.
    expected: { processed_record_count: 2, input_field_count: 4,
      processed_field_count: 2, missing_field_count: 0, bucket_count: 1,
      earliest_record_timestamp: 1000, latest_record_timestamp: 2000 },
  },
  {
    name: 'J2 reads the categorization field as an input',
    job: valueJob({ categorization_field_name: 'message',
      detectors: [{ function: 'count', by_field_name: 'mlcategory' }] }),
    body: '{"time":"1", "message":"Node 1 started"}'
      + '{"time":"2", "message":"Node 2 started"}',
    // Inputs {time, message}: A = 1; 2 leaves − 1 = 1 each.
    expected: { processed_record_count: 2, input_field_count: 2,
      processed_field_count: 2, missing_field_count: 0 },
  },
  {
    name: 'J3 drops records before the latest one-second bucket',
    job: valueJob(span1s),
    body: [3, 1, 2].map(tmv).join(''),
    // 1 and 2 < floor(3 s) = 3 s; all three add 2 input fields; the
    // response's latest stays 3000 (1000 and 2000 are not above it).
    expected: { processed_record_count: 1, out_of_order_timestamp_count: 2,
      input_field_count: 6, input_record_count: 3,
      latest_record_timestamp: 3000 },
  },
  {
    name: 'J4 accepts any order inside the latest ten-second bucket',
    job: valueJob({ bucket_span: '10s' }),
    body: [4, 5, 3, 4, 2, 12, 2].map(tmv).join(''),
    // Only the last 2 is below floor(12 s, 10 s) = 10 s; 7 × 2 fields;
    // bucket 0 is closed by 12 s.
    expected: { processed_record_count: 6, out_of_order_timestamp_count: 1,
      input_field_count: 14, bucket_count: 1, latest_record_timestamp: 12000 },
  },
  {
    name: 'J5 accepts records up to the latency before the latest bucket',
    job: valueJob({ ...span1s, ...latency2s }),
    body: [4, 5, 3, 4, 2].map(tmv).join(''),
    // Threshold 5 − 2 = 3 s: only 2 is out of order; buckets 3 s and 4 s
    // close at the end of the upload, 5 s holds the latest record.
    expected: { processed_record_count: 4, out_of_order_timestamp_count: 1,
      bucket_count: 2 },
  },
  {
    name: 'J6 keeps the time of an object that lacks a comma',
    job: valueJob(latency2s),
    body: '{"time":"1", "value":"1.0"}{"time":"2" "value":"2.0"}'
      + '{"time":"3", "value":"3.0"}',
    // Rows [1,1.0], [2,""], [3,3.0]: value missing once; leaves 2, 1, 2
    // give 1 + 0 + 1 input fields; pfc = 3 × 1 − 1.
    expected: { processed_record_count: 3, missing_field_count: 1,
      input_field_count: 2, processed_field_count: 2 },
  },
  {
    name: 'J7 keeps a nested value read before a syntax error',
    job: valueJob({ detectors: [{ function: 'metric',
      field_name: 'nested.value' }] }),
    body: '{"time":"1", "nested":{"value":"1.0"}}'
      + '{"time":"2", "nested":{"value":"2.0"} "foo":"bar"}'
      + '{"time":"3", "nested":{"value":"3.0"}}',
    // Rows 1.0, 2.0, 3.0: nothing missing; 2 leaves each before any error.
    expected: { processed_record_count: 3, missing_field_count: 0,
      input_field_count: 3, processed_field_count: 3 },
  },
  {
    name: 'J9 counts an array, even an empty one, as one present field',
    job: valueJob(),
    body: '{"time":"1", "array":["foo", "bar"], "value":"1.0"}'
      + '{"time":"2", "array":[], "value":"2.0"}',
    expected: { processed_record_count: 2, input_field_count: 4,
      missing_field_count: 0, processed_field_count: 2 },
  },
  {
    name: 'J10 counts an empty object as an invalid date with two missing',
    job: valueJob(latency2s),
    body: lines('{"time":"1", "f1":"foo", "value":"1.0"}',
      '{"time":"2", "value":"2.0"}', '{"time":"3", "f1":"bar"}', '{}',
      '{"time":"4", "value":"3.0"}'),
    // Missing: value of the third (1), time and value of {} (2).
    // Input fields 2 + 1 + 1 + 0 + 1; pfc = 4 × 1 − 3.
    expected: { processed_record_count: 4, invalid_date_count: 1,
      missing_field_count: 3, input_field_count: 5, processed_field_count: 1,
      input_record_count: 5, earliest_record_timestamp: 1000,
      latest_record_timestamp: 4000 },
  },
];

/** §10.8 with `a` as the time field (epoch seconds), so records count. */
const abcJob = (byField = 'c', metricField = 'b') => ({
  analysis_config: { bucket_span: '1s', detectors: [{ function: 'metric',
    field_name: metricField, by_field_name: byField }] },
  data_description: { time_field: 'a', time_format: 'epoch' },
});

const readerCases: UploadCase[] = [
  {
    name: 'X1 reads fields in any order',
    job: abcJob(),
    body: '{"a":10, "b":20, "c":30}\n{"b":21, "a":11, "c":31}\n',
    // Inputs {a, b, c}, A = 2: 2 fields each; pfc 2 × 2.
    expected: { processed_record_count: 2, input_field_count: 4,
      missing_field_count: 0, processed_field_count: 4,
      earliest_record_timestamp: 10000, latest_record_timestamp: 11000 },
  },
  {
    name: 'X2 reads a nested field by its dotted path',
    job: abcJob('c.e'),
    body: '{"a":10, "b":20, "c":{"d":30, "e":40}}',
    // 4 leaves (a, b, c.d, c.e) − 1.
    expected: { processed_record_count: 1, input_field_count: 3,
      missing_field_count: 0, processed_field_count: 2 },
  },
  {
    name: 'X3 takes a one-element array as its value',
    job: abcJob('c.e'),
    body: '{"a":[10], "b":20, "c":{"d":30, "e":[40]}}',
    // a = "10" parses as 10 s.
    expected: { processed_record_count: 1, input_field_count: 3,
      missing_field_count: 0, latest_record_timestamp: 10000 },
  },
  {
    name: 'X4 joins a longer array, which is no epoch time',
    job: abcJob('c.e', 'g'),
    body: '{"a":[10,11],"b":20,"c":{"d":30,"e":[40,50]},'
      + '"f":["a","a","a","a"],"g":20}',
    // 6 leaves − 1 = 5; a = "10,11" is an invalid date, nothing missing.
    expected: { processed_record_count: 0, invalid_date_count: 1,
      input_field_count: 5, missing_field_count: 0 },
  },
  {
    name: 'X5 loses the middle document after a missing opening brace',
    job: abcJob(),
    body: '"a":10, "b":20, "c":30}\n{"b":21, "a":11, "c":31}\n'
      + '{"c":32, "b":22, "a":12}',
    // An empty record (a, b, c missing; no time), then the third document.
    // pfc = max(0, 1 × 2 − 3).
    expected: { input_record_count: 2, invalid_date_count: 1,
      processed_record_count: 1, missing_field_count: 3,
      input_field_count: 2, processed_field_count: 0,
      earliest_record_timestamp: 12000, latest_record_timestamp: 12000 },
  },
  {
    name: 'X6 keeps the fields read before a nested syntax error',
    job: abcJob(),
    body: '{"a":10, "b":20, "c":30}\n'
      + '{"b":21, "d" : {"ee": 1 "ff":0}, "a":11, "c":31}',
    // Second record: b and d.ee read (2 leaves), a and c missing, no time.
    // Input fields 2 + 1; pfc = max(0, 1 × 2 − 2).
    expected: { processed_record_count: 1, invalid_date_count: 1,
      missing_field_count: 2, input_field_count: 3,
      processed_field_count: 0, latest_record_timestamp: 10000 },
  },
  {
    name: 'X8 recovers from a control character in a field name',
    job: abcJob(),
    body: '{"a":10, "\u0002" : 5, "b":20, "c":30}\n'
      + '{"b":21, "a":11, "c":31}\n{"c":32, "b":22, "a":12}\n',
    // First record ends at the control character with only a = 10 read:
    // b and c missing. Input fields 0 + 2 + 2; pfc = 3 × 2 − 2.
    expected: { processed_record_count: 3, missing_field_count: 2,
      input_field_count: 4, processed_field_count: 4,
      earliest_record_timestamp: 10000, latest_record_timestamp: 12000 },
  },
];

const derivedCases: UploadCase[] = [
  {
    name: 'DV1 counts a good record, an empty one and a bad time',
    job: fqJob(),
    body: lines('{"airline":"A","responsetime":1,"time":1403481600}', '{}',
      '{"airline":"B","time":"oops"}'),
    // Missing 0 + 3 + 1; input fields 2 + 0 + 1; pfc max(0, 1 × 2 − 4).
    expected: { processed_record_count: 1, invalid_date_count: 2,
      missing_field_count: 4, input_field_count: 3, processed_field_count: 0,
      input_record_count: 3, earliest_record_timestamp: 1403481600000,
      latest_record_timestamp: 1403481600000 },
  },
  {
    name: 'DV4 reads a top-level array as one record per element',
    job: fqJob(),
    body: '[{"airline":"A","responsetime":1,"time":1403481600},'
      + '{"airline":"B","responsetime":2,"time":1403481700}]',
    // As I1 but with 3 leaves per record: 2 input fields each.
    expected: { processed_record_count: 2, processed_field_count: 4,
      input_field_count: 4, missing_field_count: 0, bucket_count: 0,
      earliest_record_timestamp: 1403481600000,
      latest_record_timestamp: 1403481700000 },
  },
  {
    name: '§3.6 clamps nothing when one record lacks its value',
    job: valueJob(),
    body: lines('{"time":1,"value":1}', '{"time":2,"value":2}', '{}',
      '{"time":3}', '{"time":4,"value":4}'),
    // Processed 4, missing 2 ({}) + 1: pfc = 4 × 1 − 3 = 1.
    expected: { processed_record_count: 4, missing_field_count: 3,
      processed_field_count: 1, invalid_date_count: 1 },
  },
  {
    name: '§6.4 takes one off even a record without a time field',
    job: valueJob(),
    body: lines('{"value":1,"other":2,"third":3}'),
    // 3 leaves − 1 = 2; the time is missing, so invalid and 1 missing.
    expected: { input_field_count: 2, invalid_date_count: 1,
      missing_field_count: 1, processed_record_count: 0 },
    absent: ['latest_record_timestamp', 'earliest_record_timestamp'],
  },
  {
    name: '§4.5 counts a null time as invalid but present',
    job: valueJob(),
    body: '{"time":null,"value":1}',
    expected: { invalid_date_count: 1, missing_field_count: 0,
      input_field_count: 1 },
  },
];

describe.each([
  ['the JSON writer (spec §10.7)', writerCases],
  ['the record reader through a job on a, b, c (spec §10.8)', readerCases],
  ['derived scenarios and worked examples (§10.11, §3.6, §6.4)',
    derivedCases],
])('%s', (_title, cases) => {
  test.each(cases)('$name', async ({ job, body, expected, absent }) => {
    const answer = await postToNewJob(job, body);

    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({
      ...expected, input_bytes: Buffer.byteLength(body),
    });
    for (const key of absent ?? []) expect(answer.json).not.toHaveProperty(key);
  });
});

describe('uploads refused as a whole', () => {
  test('J8 refuses a body that ends inside a record', async () => {
    const jobId = nextJob();
    await api.openedJob(jobId, valueJob({
      detectors: [{ function: 'count' }] }));

    const answer = await api.post(jobId, '{"time":"1", "value":"2.0"}{"time');
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ type: 'parse_exception',
      reason: 'The input JSON data is malformed.' });
    // Elasticsearch keeps the first record; here nothing is counted.
    expect(await api.dataCounts(jobId)).toMatchObject({
      processed_record_count: 0, input_bytes: 0, input_record_count: 0 });
  });

  test('X7 refuses 100 documents with missing colons', async () => {
    const jobId = nextJob();
    await api.openedJob(jobId, abcJob());
    const body = Array.from({ length: 100 },
      (_, i) => `{"a":1${i}, "b"2${i}, "c":3${i}}`).join('\n');

    const answer = await api.post(jobId, body);
    expect(answer.status).toBe(400);
    expect(answer.json.error.reason).toBe('The input JSON data is malformed.');
    expect((await api.dataCounts(jobId)).input_record_count).toBe(0);
  });

  test('J11 refuses SMILE with 406', async () => {
    const jobId = nextJob();
    await api.openedJob(jobId, valueJob());
    // ':)\n' and a version byte open every SMILE document.
    const smile = new Uint8Array([0x3a, 0x29, 0x0a, 0x01, 0xfa, 0xfb, 0xff]);

    const answer = await api.post(jobId, smile,
      { contentType: 'application/smile' });
    expect(answer.status).toBe(406);
    expect(answer.json).toEqual({ status: 406,
      error: 'Content-Type [smile] is not supported by this service. '
        + 'Send JSON or NDJSON instead' });
  });
});

describe('the out-of-order rule across uploads (spec §5.5, §10.11)', () => {
  const i1 = lines(
    '{"airline":"AAL","responsetime":"132.2046","time":"1403481600"}',
    '{"airline":"JZA","responsetime":"990.4628","time":"1403481700"}');
  const earlier = '{"airline":"AAL","responsetime":"1","time":"1403478000"}';

  test('DV2 counts a record of the previous hour as out of order',
    async () => {
      const jobId = nextJob();
      await api.openedJob(jobId, fqJob());
      await api.post(jobId, i1);

      const answer = await api.post(jobId, earlier);
      // The response shows the dropped time; the totals keep I1's latest.
      expect(answer.json).toMatchObject({ out_of_order_timestamp_count: 1,
        processed_record_count: 0, latest_record_timestamp: 1403478000000 });
      expect((await api.dataCounts(jobId)).latest_record_timestamp)
        .toBe(1403481700000);
    });

  test('DV3 accepts it with a latency of one hour', async () => {
    const jobId = nextJob();
    await api.openedJob(jobId, fqJob({ latency: '3600s' }));
    await api.post(jobId, i1);

    // Threshold 1403481600 − 3600 = 1403478000, which is not below itself.
    const answer = await api.post(jobId, earlier);
    expect(answer.json).toMatchObject({ out_of_order_timestamp_count: 0,
      processed_record_count: 1 });
  });

  test('keeps the persisted latest across close and reopen', async () => {
    const jobId = nextJob();
    await api.openedJob(jobId, fqJob());
    await api.post(jobId,
      '{"airline":"A","responsetime":"1","time":"1403482000"}');
    await api.close(jobId);
    await api.open(jobId);

    // L = 1403482000000, floored to the hour 1403481600.
    const sameHour = await api.post(jobId,
      '{"airline":"A","responsetime":"1","time":"1403481600"}');
    expect(sameHour.json.out_of_order_timestamp_count).toBe(0);
    const previousHour = await api.post(jobId, earlier);
    expect(previousHour.json.out_of_order_timestamp_count).toBe(1);
  });
});
