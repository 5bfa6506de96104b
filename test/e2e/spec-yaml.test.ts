/**
 * Spec §10.1-§10.4 over HTTP on the local stack: the YAML REST tests
 * (Y1-Y7, S1-S6, C1-C2) and the Java REST integration tests (I1-I3).
 * Expected values are the spec's; derived ones carry their arithmetic.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  fqJob, jobIds, jobsApi, lines, type JobsApi,
} from '../support/api.js';
import { startTestStack, type TestStack } from '../support/localStack.js';

let stack: TestStack;
let api: JobsApi;
const nextJob = jobIds('yaml');

beforeAll(async () => {
  stack = await startTestStack();
  api = jobsApi(stack.url);
});
afterAll(async () => {
  await stack.close();
});

/** One FQ record with quoted values, as the Java tests send them. */
const fq = (airline: string, responsetime: string, time: number) =>
  JSON.stringify({ airline, responsetime, sourcetype: 'farequote',
    time: String(time) });

describe('post_data.yml (spec §10.1)', () => {
  test('Y1: counts an upload, flushes, closes and keeps the totals',
    async () => {
      const job = nextJob();
      await api.openedJob(job, fqJob());
      // Each line is 88 bytes ({"airline":"AAL", 17; "responsetime":
      // 132.2046, 24; "sourcetype":"post-data-job", 29; "time":1403481600}
      // 18) plus its newline: 2 × 89 = 178.
      const body = [
        '{"airline":"AAL","responsetime":132.2046,'
          + '"sourcetype":"post-data-job","time":1403481600}',
        '{"airline":"JZA","responsetime":990.4628,'
          + '"sourcetype":"post-data-job","time":1403481700}',
      ].map((line) => `${line}\n`).join('');
      const counts = {
        processed_record_count: 2,
        processed_field_count: 4, // 2 records × A = 2, nothing missing
        input_bytes: 178,
        input_field_count: 6, // 4 leaves − 1, twice
        invalid_date_count: 0, missing_field_count: 0,
        out_of_order_timestamp_count: 0,
        empty_bucket_count: 0, sparse_bucket_count: 0,
        bucket_count: 0, // both records in the hour from 1403481600
        earliest_record_timestamp: 1403481600000,
        latest_record_timestamp: 1403481700000,
        input_record_count: 2,
      };

      const posted = await api.post(job, body);
      expect(posted.status).toBe(202);
      expect(posted.json).toMatchObject({ job_id: job, ...counts });
      expect(posted.json.last_data_time).toEqual(expect.any(Number));
      expect(posted.headers.get('warning')).toBeNull();

      const flushed = await api.flush(job);
      expect(flushed.status).toBe(200);
      expect(flushed.json).toEqual({
        flushed: true, last_finalized_bucket_end: 1403481600000,
      });
      expect((await api.close(job)).json).toEqual({ closed: true });

      const stats = await api.stats(job);
      expect(stats.json.jobs[0].state).toBe('closed');
      expect(stats.json.jobs[0].data_counts).toMatchObject(counts);
    });

  test('Y2: a flush without data has no last_finalized_bucket_end',
    async () => {
      const job = nextJob();
      await api.openedJob(job, fqJob());

      const flushed = await api.flush(job);
      expect(flushed.status).toBe(200);
      expect(flushed.json).toEqual({ flushed: true });
      expect((await api.close(job)).json).toEqual({ closed: true });
      expect((await api.stats(job)).json.jobs[0].state).toBe('closed');
    });

  test('Y3: skip_time moves the flushed bucket end, not the counts',
    async () => {
      const job = nextJob();
      await api.openedJob(job, fqJob());

      const first = await api.post(job, lines(
        fq('AAL', '132.2046', 1403481600), fq('AAL', '990.4628', 1403485200)));
      // Hour 1403481600 is finalised by the record in the next hour.
      expect(first.json).toMatchObject({ processed_record_count: 2,
        out_of_order_timestamp_count: 0, bucket_count: 1,
        earliest_record_timestamp: 1403481600000,
        latest_record_timestamp: 1403485200000 });

      // ceil(1403488700 / 3600) × 3600 = 389858 × 3600 = 1403488800.
      const flushed = await api.flush(job, { skip_time: '1403488700' });
      expect(flushed.json).toEqual({
        flushed: true, last_finalized_bucket_end: 1403488800000,
      });

      // Both still in the hour of 1403485200 (the latest bucket), so
      // accepted and no bucket closes.
      const second = await api.post(job, lines(
        fq('AAL', '132.2046', 1403488600), fq('AAL', '990.4628', 1403488700)));
      expect(second.json).toMatchObject({ processed_record_count: 2,
        out_of_order_timestamp_count: 0, bucket_count: 0,
        latest_record_timestamp: 1403488700000 });
      expect(second.json).not.toHaveProperty('earliest_record_timestamp');

      // Closes the hours of 1403485200 (3 records) and 1403488800 (1).
      const third = await api.post(job, lines(
        fq('AAL', '132.2046', 1403488900), fq('AAL', '990.4628', 1403492400)));
      expect(third.json).toMatchObject({ processed_record_count: 2,
        bucket_count: 2, latest_record_timestamp: 1403492400000 });

      expect((await api.close(job)).json).toEqual({ closed: true });
      // 6 records of 4 leaves: ifc 6 × 3, pfc 6 × 2; buckets 1 + 0 + 2.
      expect(await api.dataCounts(job)).toMatchObject({
        processed_record_count: 6, processed_field_count: 12,
        input_field_count: 18, bucket_count: 3, empty_bucket_count: 0,
      });
    });

  test('Y4: refuses an unknown job and unparsable reset times', async () => {
    const job = nextJob();
    await api.openedJob(job, fqJob());
    const body = fq('AAL', '132.2046', 1403481600);

    const unknown = await api.post('not_a_job', body);
    // 404 as Elasticsearch up to 6.4 answered (DESIGN.md), not 409.
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({
      type: 'resource_not_found_exception',
      reason: "No known job with id 'not_a_job'",
    });

    const badStart = await api.post(job, body,
      { query: { reset_start: 'not_a_date' } });
    expect(badStart.status).toBe(400);
    expect(badStart.json.error).toMatchObject({ type: 'parse_exception',
      reason: 'Query param [start] with value [not_a_date] cannot be parsed '
        + 'as a date or converted to a number (epoch).' });

    const badEnd = await api.post(job, body,
      { query: { reset_end: 'end_not_a_date' } });
    expect(badEnd.status).toBe(400);
    expect(badEnd.json.error).toMatchObject({ type: 'parse_exception',
      reason: 'Query param [end] with value [end_not_a_date] cannot be '
        + 'parsed as a date or converted to a number (epoch).' });

    // Nothing was counted by the refused uploads.
    expect(await api.dataCounts(job))
      .toMatchObject({ input_record_count: 0, input_bytes: 0 });
  });

  test('Y5: refuses flushes of an unknown job and unparsable times',
    async () => {
      const job = nextJob();
      await api.openedJob(job, fqJob());

      const unknown = await api.flush('not_a_job');
      expect(unknown.status).toBe(404);
      expect(unknown.json.error.type).toBe('resource_not_found_exception');

      const cases: Array<[string, string, string]> = [
        ['start', 'not_a_date', 'start'],
        ['end', 'end_not_a_date', 'end'],
        ['advance_time', 'advance_time_not_a_date', 'advance_time'],
        ['skip_time', 'skip_time_not_a_date', 'skip_time'],
      ];
      for (const [param, value, named] of cases) {
        const answer = await api.flush(job, { [param]: value });
        expect(answer.status).toBe(400);
        expect(answer.json.error).toMatchObject({ type: 'parse_exception',
          reason: `Query param [${named}] with value [${value}] cannot be `
            + 'parsed as a date or converted to a number (epoch).' });
      }
    });

  test('Y6: opening or closing an unknown job is a 404', async () => {
    expect((await api.open('not_a_job')).status).toBe(404);
    expect((await api.close('not_a_job')).status).toBe(404);
  });

  test('Y7: refuses a flush and a post on a closed job with 409',
    async () => {
      const job = nextJob();
      const put = await api.putJob(job, {
        analysis_config: { detectors: [{ function: 'metric',
          field_name: 'responsetime', by_field_name: 'airline' }] },
        data_description: { format: 'xcontent' },
      });
      expect(put.json.data_description).toEqual(
        { time_field: 'time', time_format: 'epoch_ms' });
      const notOpen = {
        type: 'status_exception',
        reason: `Cannot perform requested action because job [${job}] `
          + 'is not open',
      };

      const flushed = await api.flush(job);
      expect(flushed.status).toBe(409);
      expect(flushed.json.error).toMatchObject(notOpen);

      const posted = await api.post(job, lines(
        fq('AAL', '132.2046', 1403481600), fq('JZA', '990.4628', 1403481700)));
      expect(posted.status).toBe(409);
      expect(posted.json.error).toMatchObject(notOpen);
    });
});

describe('jobs_get_stats.yml (spec §10.2)', () => {
  // Quoted values, separated by spaces as the YAML folded block sends them.
  const s1Body = [
    '{"airline":"AAL","responsetime":"132.2046","time":"1403481600"}',
    '{"airline":"JZA","responsetime":"990.4628","time":"1403481600"}',
    '{"airline":"JZA","responsetime":"244.1276","time":"1403485200"}',
  ].join(' ');
  // 3 records of 3 leaves: ifc 3 × 2, pfc 3 × A = 2; the first hour is
  // closed by the third record.
  const s1Counts = {
    processed_record_count: 3, processed_field_count: 6,
    input_field_count: 6, bucket_count: 1, empty_bucket_count: 0,
    earliest_record_timestamp: 1403481600000,
    latest_record_timestamp: 1403485200000, input_record_count: 3,
  };
  const statsJob = () => fqJob({}, {});

  test('S1: an open job reports its live totals and open time', async () => {
    const job = nextJob();
    await api.openedJob(job, { ...statsJob(),
      analysis_limits: { model_memory_limit: '10mb' } });
    expect((await api.post(job, s1Body)).status).toBe(202);
    expect((await api.flush(job)).json.flushed).toBe(true);

    const entry = (await api.stats(job)).json.jobs[0];
    expect(entry.data_counts).toMatchObject(s1Counts);
    expect(entry.state).toBe('opened');
    expect(entry.open_time).toMatch(/^\d+s$/);
    expect(entry.model_size_stats.model_bytes).toBeGreaterThanOrEqual(0);
  });

  test('S2: a closed job reports its persisted totals', async () => {
    const job = nextJob();
    await api.openedJob(job, statsJob());
    await api.post(job, s1Body);
    await api.flush(job);
    expect((await api.close(job)).json).toEqual({ closed: true });

    const entry = (await api.stats(job)).json.jobs[0];
    expect(entry.data_counts).toMatchObject(s1Counts);
    expect(entry.state).toBe('closed');
    expect(entry).not.toHaveProperty('open_time');
    expect(entry).not.toHaveProperty('node');
  });

  test('S3: a job that never got data reports zeros', async () => {
    const job = nextJob();
    await api.openedJob(job, fqJob({}, {
      time_format: "yyyy-MM-dd'T'HH:mm:ssX" }));

    const entry = (await api.stats(job)).json.jobs[0];
    expect(entry.data_counts.processed_record_count).toBe(0);
    expect(entry.model_size_stats.model_bytes).toBe(0);
    expect(entry.state).toBe('opened');
    expect(entry).toHaveProperty('open_time');
  });

  test('S5: stats of an unknown job is a 404', async () => {
    expect((await api.stats('unknown-job')).status).toBe(404);
  });

  test('S6: a pattern matching nothing is empty or a 404', async () => {
    const allowed = await api.stats('missing-*',
      { allow_no_match: 'true' });
    expect(allowed.json).toEqual({ count: 0, jobs: [] });
    const refused = await api.stats('missing-*',
      { allow_no_match: 'false' });
    expect(refused.status).toBe(404);
  });
});

describe('jobs_get_stats.yml with exactly two jobs (spec §10.2 S4)', () => {
  let own: TestStack;
  let twoJobs: JobsApi;
  beforeAll(async () => {
    own = await startTestStack();
    twoJobs = jobsApi(own.url);
    // Created in reverse order: stats sort by job id.
    await twoJobs.openedJob('jobs-get-stats-datafeed-job', fqJob());
    await twoJobs.openedJob('job-stats-test', fqJob());
  });
  afterAll(async () => {
    await own.close();
  });

  test.each([
    ['_all', '/_ml/anomaly_detectors/_all/_stats'],
    ['*', '/_ml/anomaly_detectors/*/_stats'],
    ['no job id', '/_ml/anomaly_detectors/_stats'],
  ])('S4: %s lists both jobs sorted by id', async (_name, path) => {
    const answer = await twoJobs.request('GET', path);
    expect(answer.json.count).toBe(2);
    expect(answer.json.jobs.map((j: { job_id: string; state: string }) =>
      [j.job_id, j.state])).toEqual([
      ['job-stats-test', 'opened'],
      ['jobs-get-stats-datafeed-job', 'opened'],
    ]);
  });
});

describe('jobs_crud.yml (spec §10.3)', () => {
  test('C1: a lazily opened job opens at once here', async () => {
    const job = nextJob();
    const put = await api.putJob(job, {
      analysis_config: { detectors: [{ function: 'count' }] },
      data_description: {},
      analysis_limits: { model_memory_limit: '3000g' },
      allow_lazy_open: true,
    });
    // 3000 GiB = 3000 × 1024 MiB.
    expect(put.json.analysis_limits.model_memory_limit).toBe('3072000mb');
    expect(put.json.allow_lazy_open).toBe(true);

    // There is always a node here, so the job never waits in `opening`.
    expect((await api.open(job)).json.opened).toBe(true);
    expect((await api.stats(job)).json.jobs[0].state).toBe('opened');
    expect((await api.close(job)).json).toEqual({ closed: true });
    expect((await api.stats(job)).json.jobs[0].state).toBe('closed');
  });

  test('C2: refuses an inconsistent id and a taken id', async () => {
    const count = {
      analysis_config: { detectors: [{ function: 'count' }] },
      data_description: {},
    };
    const inconsistent = await api.putJob('an_id',
      { ...count, job_id: 'a_different_id' });
    expect(inconsistent.status).toBe(400);
    expect(inconsistent.json.error).toMatchObject({
      type: 'illegal_argument_exception',
      reason: "Inconsistent job_id; 'a_different_id' specified in the body "
        + "differs from 'an_id' specified as a URL argument",
    });

    const taken = 'jobs-crud-id-already-taken';
    expect((await api.putJob(taken, count)).status).toBe(200);
    const again = await api.putJob(taken, count);
    expect(again.status).toBe(400);
    expect(again.json.error).toMatchObject({
      type: 'resource_already_exists_exception',
      reason: `The job cannot be created with the Id '${taken}'. `
        + 'The Id is already used.',
    });

    expect((await api.request('GET',
      '/_ml/anomaly_detectors/jobs-crud-no-such-job')).status).toBe(404);
  });

  test.each(['3600000ms', '3600s'])(
    'C2: accepts bucket_span %s and echoes it', async (span) => {
      const put = await api.putJob(nextJob(), {
        analysis_config: { bucket_span: span,
          detectors: [{ function: 'count' }] },
        data_description: {},
      });
      expect(put.json.analysis_config.bucket_span).toBe(span);
    });

  test('C2: the default bucket_span is echoed as 5m', async () => {
    const put = await api.putJob(nextJob(), {
      analysis_config: { detectors: [{ function: 'count' }] },
      data_description: {},
    });
    expect(put.status).toBe(200);
    expect(put.json.analysis_config.bucket_span).toBe('5m');
  });
});

describe('Java REST integration tests (spec §10.4)', () => {
  const i1Body = lines(
    fq('AAL', '132.2046', 1403481600), fq('JZA', '990.4628', 1403481700));
  const i1Counts = {
    processed_record_count: 2, processed_field_count: 4, input_bytes: 177,
    input_field_count: 6, invalid_date_count: 0, missing_field_count: 0,
    out_of_order_timestamp_count: 0, bucket_count: 0,
    earliest_record_timestamp: 1403481600000,
    latest_record_timestamp: 1403481700000,
  };

  test.each(['application/json', 'application/x-ndjson'])(
    'I1: counts the mini farequote upload sent as %s', async (type) => {
      const job = nextJob();
      await api.openedJob(job, fqJob({ bucket_span: '3600s' }));

      const posted = await api.post(job, i1Body, { contentType: type });
      expect(posted.status).toBe(202);
      expect(posted.json).toMatchObject(i1Counts);

      const flushed = await api.flush(job);
      expect(flushed.json).toEqual({
        flushed: true, last_finalized_bucket_end: 1403481600000,
      });
      const closed = await api.request('POST',
        `/_ml/anomaly_detectors/${job}/_close`, { query: { timeout: '20s' } });
      expect(closed.json).toEqual({ closed: true });
      expect(await api.dataCounts(job)).toMatchObject(i1Counts);
    });

  test('I2: counts the gap after a reopen as empty buckets', async () => {
    const job = nextJob();
    await api.openedJob(job, fqJob({ bucket_span: '3600s' }));
    const first = await api.post(job, lines(
      fq('AAL', '132.2046', 1403481600), fq('JZA', '990.4628', 1403481700),
      fq('JBU', '877.5927', 1403481800), fq('KLM', '1355.4812', 1403481900),
      fq('NKS', '9991.3981', 1403482000)));
    expect(first.json).toMatchObject({
      processed_record_count: 5, processed_field_count: 10, input_bytes: 446,
      input_field_count: 15, invalid_date_count: 0, missing_field_count: 0,
      out_of_order_timestamp_count: 0, bucket_count: 0,
      earliest_record_timestamp: 1403481600000,
      latest_record_timestamp: 1403482000000,
    });
    expect((await api.flush(job)).json.last_finalized_bucket_end)
      .toBe(1403481600000);
    await api.close(job);

    expect((await api.open(job)).json.opened).toBe(true);
    const second = await api.post(job, lines(
      fq('AAL', '136.2361', 1407081600), fq('VRD', '282.9847', 1407081700),
      fq('JAL', '493.0338', 1407081800), fq('UAL', '8.4275', 1407081900),
      fq('FFT', '221.8693', 1407082000)));
    // Hours 1403481600 … 1407078000 close: (1407081600 − 1403481600) /
    // 3600 = 1000 buckets, all empty but the first (the seeded record's),
    // the last empty one starting 1407081600 − 3600 = 1407078000.
    expect(second.json).toMatchObject({
      processed_record_count: 5, processed_field_count: 10, input_bytes: 442,
      input_field_count: 15, invalid_date_count: 0, missing_field_count: 0,
      out_of_order_timestamp_count: 0, bucket_count: 1000,
      empty_bucket_count: 999, sparse_bucket_count: 0,
      latest_empty_bucket_timestamp: 1407078000000,
      latest_record_timestamp: 1407082000000,
    });
    expect(second.json).not.toHaveProperty('earliest_record_timestamp');

    await api.close(job);
    expect(await api.dataCounts(job)).toMatchObject({
      processed_record_count: 10, processed_field_count: 20,
      input_bytes: 888, input_field_count: 30, invalid_date_count: 0,
      missing_field_count: 0, out_of_order_timestamp_count: 0,
      bucket_count: 1000, empty_bucket_count: 999,
      earliest_record_timestamp: 1403481600000,
      latest_record_timestamp: 1407082000000,
    });
  });

  test('I3: a reopened count job counts the ten-bucket gap', async () => {
    const job = nextJob();
    await api.openedJob(job, {
      analysis_config: { bucket_span: '3600s',
        detectors: [{ function: 'count' }] },
      data_description: { time_format: 'epoch' },
    });
    const hours = (from: number) => Array.from({ length: 10 },
      (_, k) => JSON.stringify({ time: 1483228800 + (from + k) * 3600 }));

    const first = await api.post(job, hours(0).join('\n'));
    expect(first.json.bucket_count).toBe(9); // hours 0-8; 9 is the latest
    await api.flush(job, { calc_interim: 'true' });
    await api.close(job);
    expect((await api.dataCounts(job)).bucket_count).toBe(9);

    await api.open(job);
    const second = await api.post(job, hours(20).join('\n'));
    // Hours 9-28 close: 20 buckets, 10-19 empty, the last of them at
    // 1483228800 + 19 × 3600 = 1483297200.
    expect(second.json).toMatchObject({ bucket_count: 20,
      empty_bucket_count: 10, latest_empty_bucket_timestamp: 1483297200000 });
    await api.flush(job, { calc_interim: 'true' });
    await api.close(job);
    // A = 0 for a count job, so no processed fields; 1483228800 + 29 × 3600.
    expect(await api.dataCounts(job)).toMatchObject({
      bucket_count: 29, empty_bucket_count: 10, processed_record_count: 20,
      processed_field_count: 0, latest_record_timestamp: 1483333200000,
    });
  });
});
