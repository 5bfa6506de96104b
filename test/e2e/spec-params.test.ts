/**
 * Spec §10.9 over HTTP: record times (T1-T5 and §4.3), the reset range of
 * post data (P1-P8, §1.2), flush parameters (§8.4) and the data
 * description of create job (DD1-DD3).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  fqJob, jobIds, jobsApi, lines, valueJob, type JobsApi,
} from '../support/api.js';
import { startTestStack, type TestStack } from '../support/localStack.js';

let stack: TestStack;
let api: JobsApi;
const nextJob = jobIds('params');

beforeAll(async () => {
  stack = await startTestStack();
  api = jobsApi(stack.url);
});
afterAll(async () => {
  await stack.close();
});

/** The parse_exception reason of §1.2.1 for a time parameter. */
const unparsable = (name: string, value: string) =>
  `Query param [${name}] with value [${value}] cannot be parsed as a date `
    + 'or converted to a number (epoch).';

describe('record times (spec §4.3, §4.4, §10.9 T1-T5)', () => {
  test.each<[string, string, string, number | null]>([
    ['T1 epoch seconds', 'epoch', '"1000"', 1_000_000],
    ['T2 epoch milliseconds', 'epoch_ms', '"1000"', 1000],
    ['T3 a word with epoch', 'epoch', '"invalid"', null],
    ['T4 an offset pattern', 'yyyy-MM-dd HH:mm:ssXXX',
      '"2014-01-01 00:00:00Z"', 1388534400000],
    ['T5 a word with a pattern', 'yyyy-MM-dd HH:mm:ssXXX', '"invalid"', null],
    // §4.3: the fraction is dropped, never rounded.
    ['a fraction of a second', 'epoch', '1403481600.999', 1403481600000],
    ['an exponent', 'epoch', '1.4034816E9', 1403481600000],
    ['a Java double suffix', 'epoch', '"1403481600d"', 1403481600000],
    ['surrounding spaces', 'epoch', '" 1403481600 "', 1403481600000],
    ['an empty string', 'epoch', '""', null],
    ['a boolean', 'epoch', 'true', null],
    ['trailing text', 'epoch', '"12abc"', null],
  ])('%s: %s %s', async (_name, timeFormat, time, expectedMs) => {
    const jobId = nextJob();
    await api.openedJob(jobId, valueJob({}, { time_format: timeFormat }));

    const answer = await api.post(jobId, `{"time":${time},"value":1}`);
    if (expectedMs === null) {
      expect(answer.json).toMatchObject({ invalid_date_count: 1,
        processed_record_count: 0, missing_field_count: 0 });
      return;
    }
    expect(answer.json).toMatchObject({ invalid_date_count: 0,
      processed_record_count: 1, latest_record_timestamp: expectedMs });
  });

  // §4.3, §11.4: a value past Java's long range saturates at
  // Long.MAX_VALUE, 9223372036854775807 ms, which Java prints in full; its
  // date is 17 August 292278994, 07:12:55.807 UTC (Java's Instant of it).
  test.each(['"Infinity"', '"1e20"', '9223372036854775807'])(
    'epoch_ms %s saturates at the longest time, printed as Java does',
    async (time) => {
      const jobId = nextJob();
      await api.openedJob(jobId,
        valueJob({}, { time_format: 'epoch_ms' }));

      const answer = await api.post(jobId, `{"time":${time},"value":1}`,
        { query: { human: 'true' } });

      expect(answer.text).toContain('"latest_record_timestamp_string":'
        + '"+292278994-08-17T07:12:55.807Z",'
        + '"latest_record_timestamp":9223372036854775807,');
      const pretty = await api.stats(jobId, { pretty: 'true' });
      expect(pretty.text).toContain(
        '"latest_record_timestamp" : 9223372036854775807,');
    });

  test('a time before 1970 is out of order on a fresh job', async () => {
    // −1.5 s truncates to −1 s, below the threshold of 0 − 0 seconds.
    const jobId = nextJob();
    await api.openedJob(jobId, valueJob());
    const answer = await api.post(jobId, '{"time":-1.5,"value":1}');
    expect(answer.json).toMatchObject({ out_of_order_timestamp_count: 1,
      processed_record_count: 0 });
  });
});

describe('reset_start and reset_end (spec §1.2, §10.9 P1-P8)', () => {
  let jobId: string;
  const record = '{"airline":"A","responsetime":"1","time":"1403481600"}';
  beforeAll(async () => {
    jobId = nextJob();
    await api.openedJob(jobId, fqJob());
  });

  test.each<[string, Record<string, string>]>([
    ['P1/P8 no reset', {}],
    ['P1 a start in seconds', { reset_start: '10' }],
    ['P1 a start as a date', { reset_start: '2016-05-01T10:00:00Z' }],
    ['P2 an end alone, which resets nothing', { reset_end: '20' }],
    ['P6 a start alone', { reset_start: '2016-05-01T10:00:00Z' }],
    ['P7 a start equal to the end', { reset_start: '2016-05-01T10:00:00Z',
      reset_end: '2016-05-01T10:00:00Z' }],
    ['P8 a start of 5', { reset_start: '5' }],
    ['a start in milliseconds (over 10 characters)',
      { reset_start: '1462096800000' }],
    ['a start of now', { reset_start: 'now' }],
    ['a date without a time', { reset_start: '2016-05-01' }],
  ])('%s is accepted', async (_name, query) => {
    const answer = await api.post(jobId, record, { query });
    expect(answer.status).toBe(202);
  });

  test.each<[string, Record<string, string>, string]>([
    ['P3 a bad start', { reset_start: 'bad' }, unparsable('start', 'bad')],
    ['P4 a bad end', { reset_end: 'bad' }, unparsable('end', 'bad')],
    ['P4 a bad end after a good start',
      { reset_start: '10', reset_end: 'bad' }, unparsable('end', 'bad')],
    ['a negative start', { reset_start: '-5' }, unparsable('start', '-5')],
    ['a number with spaces', { reset_start: ' 5' },
      unparsable('start', ' 5')],
  ])('%s is a parse_exception', async (_name, query, reason) => {
    const answer = await api.post(jobId, record, { query });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ type: 'parse_exception',
      reason });
  });

  test('P5 an end before the start is a 400, not a 500', async () => {
    const answer = await api.post(jobId, record, { query: {
      reset_start: '2016-10-01T10:00:00Z', reset_end: '2016-09-30T10:00:00Z',
    } });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({
      type: 'illegal_argument_exception',
      reason: "Invalid time range: end time '2016-09-30T10:00:00Z' is "
        + "earlier than start time '2016-10-01T10:00:00Z'.",
    });
  });

  test('a reset does not relax the out-of-order rule', async () => {
    const own = nextJob();
    await api.openedJob(own, fqJob());
    await api.post(own, record);

    const earlier = '{"airline":"A","responsetime":"1","time":"1403478000"}';
    const answer = await api.post(own, earlier,
      { query: { reset_start: '1403478000' } });
    expect(answer.json.out_of_order_timestamp_count).toBe(1);
  });

  test('a closed job answers 409 before the reset is parsed', async () => {
    const closed = nextJob();
    expect((await api.putJob(closed, fqJob())).status).toBe(200);
    const answer = await api.post(closed, record,
      { query: { reset_start: 'bad' } });
    expect(answer.status).toBe(409);
  });
});

describe('flush parameters (spec §8.4)', () => {
  const i1 = lines(
    '{"airline":"AAL","responsetime":"132.2046","time":"1403481600"}',
    '{"airline":"JZA","responsetime":"990.4628","time":"1403481700"}');

  test.each<[string, Record<string, string>]>([
    ['calc_interim alone', { calc_interim: 'true' }],
    ['calc_interim with a start', { calc_interim: 'true', start: '10' }],
    ['calc_interim with a range',
      { calc_interim: 'true', start: '10', end: '20' }],
    ['a bare calc_interim flag', { calc_interim: '' }],
  ])('accepts %s', async (_name, query) => {
    const jobId = nextJob();
    await api.openedJob(jobId, fqJob());
    const answer = await api.flush(jobId, query);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ flushed: true });
  });

  test('renders a bucket end past a JavaScript date with ?human', async () => {
    // Epoch seconds 9e12 is 9e15 ms, past a Date's 8.64e15; a multiple of
    // the 5 m span, so the first bucket ends there (no latency). By the
    // civil calendar, day 104,166,666,666 after 1970 is 287168-08-24, and
    // the rest, two thirds of a day, is 16:00.
    const jobId = nextJob();
    await api.openedJob(jobId, valueJob());
    await api.post(jobId, '{"time":9000000000000,"value":1}');

    const answer = await api.flush(jobId, { human: 'true' });

    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ flushed: true,
      last_finalized_bucket_end_string: '+287168-08-24T16:00:00.000Z',
      last_finalized_bucket_end: 9e15 });
  });

  test.each<[string, Record<string, string>, string, string]>([
    ['a start without calc_interim', { start: '10' },
      'illegal_argument_exception',
      "Invalid flush parameters: unexpected 'start'."],
    ['an end without calc_interim', { end: '10' },
      'illegal_argument_exception',
      "Invalid flush parameters: unexpected 'end'."],
    ['an end without a start', { calc_interim: 'true', end: '10' },
      'illegal_argument_exception',
      "Invalid flush parameters: 'start' has not been specified."],
    ['an end before the start', { calc_interim: 'true', start: '20',
      end: '10' }, 'illegal_argument_exception',
    "Invalid time range: end time '10' is earlier than start time '20'."],
    ['advance_time not after skip_time',
      { advance_time: '1000', skip_time: '1000' }, 'status_exception',
      'advance_time [1000] must be later than skip_time [1000]'],
    ['a calc_interim that is no boolean', { calc_interim: 'yes' },
      'illegal_argument_exception',
      'Failed to parse value [yes] as only [true] or [false] are allowed.'],
  ])('refuses %s with 400', async (_name, query, type, reason) => {
    const jobId = nextJob();
    await api.openedJob(jobId, fqJob());
    const answer = await api.flush(jobId, query);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ type, reason });
  });

  test('advance_time on a fresh job sets the finalised end', async () => {
    // The documentation's example: floor(1514804400, 3600) − 0 =
    // 1514804400 (420779 hours).
    const jobId = nextJob();
    await api.openedJob(jobId, fqJob());
    const answer = await api.flush(jobId,
      { advance_time: '1514804400000' });
    expect(answer.json).toEqual({ flushed: true,
      last_finalized_bucket_end: 1514804400000 });
  });

  test('advance_time past data finalises whole buckets', async () => {
    const jobId = nextJob();
    await api.openedJob(jobId, fqJob());
    await api.post(jobId, i1);

    // From 1403481600: floor((1403492400 − 1403481600) / 3600) = 3 spans.
    const answer = await api.flush(jobId, { advance_time: '1403492400' });
    expect(answer.json.last_finalized_bucket_end).toBe(1403492400000);
    // advance_time moves no data count.
    expect(await api.dataCounts(jobId)).toMatchObject({
      latest_record_timestamp: 1403481700000, bucket_count: 0 });
  });

  test('takes its parameters from a JSON body too', async () => {
    const jobId = nextJob();
    await api.openedJob(jobId, fqJob());
    await api.post(jobId, i1);

    const answer = await api.request('POST',
      `/_ml/anomaly_detectors/${jobId}/_flush`,
      { body: JSON.stringify({ calc_interim: true, start: '1403481600' }) });
    expect(answer.status).toBe(200);
    const unexpected = await api.request('POST',
      `/_ml/anomaly_detectors/${jobId}/_flush`,
      { body: JSON.stringify({ start: '1403481600' }) });
    expect(unexpected.json.error.reason)
      .toBe("Invalid flush parameters: unexpected 'start'.");
  });

  test('adds the ISO companion with ?human', async () => {
    const jobId = nextJob();
    await api.openedJob(jobId, fqJob());
    await api.post(jobId, i1);

    const answer = await api.flush(jobId, { human: 'true' });
    expect(answer.text).toBe('{"flushed":true,'
      + '"last_finalized_bucket_end_string":"2014-06-23T00:00:00.000Z",'
      + '"last_finalized_bucket_end":1403481600000}');
  });
});

describe('data description (spec §10.9 DD1-DD3)', () => {
  const withData = (data: object) => ({
    analysis_config: { detectors: [{ function: 'count' }] },
    data_description: data,
  });

  test('DD1 defaults to the time field and epoch_ms', async () => {
    const jobId = nextJob();
    const put = await api.putJob(jobId, withData({}));
    expect(put.json.data_description).toEqual(
      { time_field: 'time', time_format: 'epoch_ms' });
    const got = await api.request('GET', `/_ml/anomaly_detectors/${jobId}`);
    expect(got.json.jobs[0].data_description).toEqual(
      { time_field: 'time', time_format: 'epoch_ms' });
  });

  test.each(['epoch', 'epoch_ms', 'yyyy-MM-dd HH',
    "yyyy.MM.dd G 'at' HH:mm:ss z"])('DD2 accepts %s', async (format) => {
    const put = await api.putJob(nextJob(), withData({ time_format: format }));
    expect(put.status).toBe(200);
    expect(put.json.data_description.time_format).toBe(format);
  });

  // The last two (§4.4): the check parses with the year of era defaulted
  // to this year, which the proleptic (u) or week-based (Y) year 1970 of
  // the formatted epoch contradicts.
  test.each(['invalid', '', 'y-M-dd', 'YYY-mm-UU hh:mm:ssY',
    'uuuu-MM-dd HH:mm:ss', 'YYYY-MM-dd HH:mm:ss'])(
    'DD3 refuses the time format "%s"', async (format) => {
      const put = await api.putJob(nextJob(),
        withData({ time_format: format }));
      expect(put.status).toBe(400);
      expect(put.json.error.reason)
        .toBe(`Invalid Time format string '${format}'`);
    });

  test('DD3 refuses a null time format', async () => {
    const put = await api.putJob(nextJob(), withData({ time_format: null }));
    expect(put.status).toBe(400);
  });

  test('DD3 refuses an unknown format', async () => {
    const put = await api.putJob(nextJob(), withData({ format: 'parquet' }));
    expect(put.status).toBe(400);
    expect(put.json.error.reason)
      .toBe('[data_description] failed to parse field [format]');
  });
});
