import { beforeAll, describe, expect, inject, test } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { createJobService } from '../../lib/jobs/jobService.js';
import type { JobService } from '../../lib/jobs/types.js';
import { createDynamoJobStore } from '../../lib/store/dynamoStore.js';
import { ensureTable } from '../../lib/store/table.js';
import { dynamoClientFor, uniqueTableName } from '../store/fixtures.js';

const client = dynamoClientFor(inject('dynamoUrl'));
const tableName = uniqueTableName('service');
const store = createDynamoJobStore(client, tableName);
const config = { ...loadConfig({}), tableName, leaseWaitMs: 300 };
const service = createJobService({ store, config, now: Date.now });
const plain = { human: false };
const anyMatch = { allowNoMatch: true };
const GET_ALL = { allowNoMatch: true, excludeGenerated: false };

beforeAll(async () => {
  await ensureTable(client, tableName);
});

/** The farequote job of spec §10 ("FQ") with `bucket_span` 3600s. */
const farequoteJob = {
  analysis_config: {
    bucket_span: '3600s',
    detectors: [{
      function: 'metric', field_name: 'responsetime', by_field_name: 'airline',
    }],
  },
  data_description: { time_field: 'time', time_format: 'epoch' },
};

async function* bodyOf(text: string): AsyncIterable<Uint8Array> {
  yield new TextEncoder().encode(text);
}

const record = (airline: string, responsetime: string, time: number) =>
  JSON.stringify({ airline, responsetime, sourcetype: 'farequote',
    time: String(time) });

async function post(
  jobs: JobService, jobId: string, text: string,
): Promise<Record<string, unknown>> {
  return await jobs.postData(jobId, bodyOf(text),
    { human: false, reset: {} }) as Record<string, unknown>;
}

describe('the job lifecycle of spec test I1 and I2', () => {
  test('posting, flushing, closing and reopening give the spec counts',
    async () => {
      await service.putJob('mini-farequote', farequoteJob);
      expect(await service.openJob('mini-farequote'))
        .toEqual({ opened: true, node: 'ml-intake' });

      // I2 step 1: five lines joined by "\n", no trailing newline: 446 bytes.
      const first = [
        record('AAL', '132.2046', 1403481600),
        record('JZA', '990.4628', 1403481700),
        record('JBU', '877.5927', 1403481800),
        record('KLM', '1355.4812', 1403481900),
        record('NKS', '9991.3981', 1403482000),
      ].join('\n');
      expect(await post(service, 'mini-farequote', first)).toMatchObject({
        job_id: 'mini-farequote',
        processed_record_count: 5,
        processed_field_count: 10,
        input_bytes: 446,
        input_field_count: 15,
        invalid_date_count: 0,
        missing_field_count: 0,
        out_of_order_timestamp_count: 0,
        bucket_count: 0,
        earliest_record_timestamp: 1403481600000,
        latest_record_timestamp: 1403482000000,
      });

      expect(await service.flushJob('mini-farequote', {}, plain))
        .toEqual({ flushed: true, last_finalized_bucket_end: 1403481600000 });
      expect(await service.closeJob('mini-farequote', anyMatch))
        .toEqual({ closed: true });
      await service.openJob('mini-farequote');

      // I2 step 3: 442 bytes, 1000 hours later: 999 empty buckets between.
      const second = [
        record('AAL', '136.2361', 1407081600),
        record('VRD', '282.9847', 1407081700),
        record('JAL', '493.0338', 1407081800),
        record('UAL', '8.4275', 1407081900),
        record('FFT', '221.8693', 1407082000),
      ].join('\n');
      const response = await post(service, 'mini-farequote', second);
      expect(response).toMatchObject({
        processed_record_count: 5, processed_field_count: 10,
        input_bytes: 442, input_field_count: 15, bucket_count: 1000,
        empty_bucket_count: 999, latest_record_timestamp: 1407082000000,
        latest_empty_bucket_timestamp: 1407078000000,
      });
      expect(response).not.toHaveProperty('earliest_record_timestamp');

      await service.closeJob('mini-farequote', anyMatch);
      const stats = await service.getStats('mini-farequote',
        { human: false, allowNoMatch: true }) as {
        jobs: Array<{ state: string; data_counts: object }>;
      };
      expect(stats.jobs[0].state).toBe('closed');
      expect(stats.jobs[0].data_counts).toMatchObject({
        processed_record_count: 10, processed_field_count: 20,
        input_bytes: 888, input_field_count: 30, bucket_count: 1000,
        empty_bucket_count: 999, earliest_record_timestamp: 1403481600000,
        latest_record_timestamp: 1407082000000,
      });
    });
});

describe('job states and errors', () => {
  test('posting to a closed job is refused with 409 and counts nothing',
    async () => {
      await service.putJob('closed-job', farequoteJob);

      await expect(post(service, 'closed-job', record('AAL', '1', 1)))
        .rejects.toMatchObject({
          status: 409, type: 'status_exception',
          message: 'Cannot perform requested action because job ' +
            '[closed-job] is not open',
        });
      const stats = await service.getStats('closed-job',
        { human: false, allowNoMatch: true }) as {
        jobs: Array<{ data_counts: { processed_record_count: number } }>;
      };
      expect(stats.jobs[0].data_counts.processed_record_count).toBe(0);
    });

  test('posting to an unknown job is a 404, as DESIGN.md chooses', async () => {
    await expect(post(service, 'no-such-job', '{}')).rejects.toMatchObject({
      status: 404, type: 'resource_not_found_exception',
      message: "No known job with id 'no-such-job'",
    });
  });

  test('a second create with the same id is refused', async () => {
    await service.putJob('taken', farequoteJob);
    await expect(service.putJob('taken', farequoteJob)).rejects.toMatchObject({
      status: 400, type: 'resource_already_exists_exception',
      message: "The job cannot be created with the Id 'taken'. " +
        'The Id is already used.',
    });
  });

  test('closing a pattern that matches no job is a 404 only when no match '
    + 'is not allowed (spec 8.3)', async () => {
    await expect(service.closeJob('zz-none*', { allowNoMatch: false }))
      .rejects.toMatchObject({ status: 404,
        type: 'resource_not_found_exception',
        message: "No known job with id 'zz-none*'" });
    expect(await service.closeJob('zz-none*', anyMatch))
      .toEqual({ closed: true });
  });

  test('an open job cannot be deleted without force', async () => {
    await service.putJob('open-delete', farequoteJob);
    await service.openJob('open-delete');

    await expect(service.deleteJob('open-delete', { force: false }))
      .rejects.toMatchObject({ status: 409 });
    expect(await service.deleteJob('open-delete', { force: true }))
      .toEqual({ acknowledged: true });
    await expect(service.getJobs('open-delete', GET_ALL))
      .rejects.toMatchObject({ status: 404 });
  });
});

describe('one writer per job', () => {
  test('an upload waits for the lease and then counts after the first',
    async () => {
      await service.putJob('two-writers', farequoteJob);
      await service.openJob('two-writers');
      const jobsWithWait = createJobService({
        store, config: { ...config, leaseWaitMs: 5_000 }, now: Date.now,
      });

      // Two uploads of the same hour: whichever runs second finds its
      // records in the latest bucket, so both are accepted either way.
      const body = [record('AAL', '1', 1403481600),
        record('JZA', '2', 1403481700)].join('\n');
      const [a, b] = await Promise.all([
        post(jobsWithWait, 'two-writers', body),
        post(jobsWithWait, 'two-writers', body),
      ]);

      expect(a.processed_record_count).toBe(2);
      expect(b.processed_record_count).toBe(2);
      const stats = await service.getStats('two-writers',
        { human: false, allowNoMatch: true }) as {
        jobs: Array<{ data_counts: Record<string, number> }>;
      };
      expect(stats.jobs[0].data_counts.processed_record_count).toBe(4);
      expect(stats.jobs[0].data_counts.input_bytes).toBe(2 * body.length);
    });

  test('a writer that cannot get the lease in time gets 429 Retry-After',
    async () => {
      await service.putJob('busy-job', farequoteJob);
      await service.openJob('busy-job');
      await store.acquireLease('busy-job', 'someone-else', Date.now(), 60_000);

      await expect(post(service, 'busy-job', record('AAL', '1', 1)))
        .rejects.toMatchObject({
          status: 429, type: 'status_exception',
          headers: { 'Retry-After': '5' },
        });
    });
});

describe('getting jobs', () => {
  test('refuses a wildcard that matches nothing only without allowNoMatch',
    async () => {
      const strict = { allowNoMatch: false, excludeGenerated: false };

      expect(await service.getJobs('nothing-like-this*', GET_ALL))
        .toEqual({ count: 0, jobs: [] });
      await expect(service.getJobs('nothing-like-this*', strict))
        .rejects.toMatchObject({ status: 404,
          type: 'resource_not_found_exception',
          message: "No known job with id 'nothing-like-this*'" });
    });

  test('leaves out job_version and create_time with excludeGenerated',
    async () => {
      await service.putJob('export-me', farequoteJob);

      const full = await service.getJobs('export-me', GET_ALL) as {
        jobs: Array<Record<string, unknown>> };
      const bare = await service.getJobs('export-me',
        { allowNoMatch: true, excludeGenerated: true }) as {
        jobs: Array<Record<string, unknown>> };

      expect(full.jobs[0]).toHaveProperty('job_version', '8.0.0');
      expect(full.jobs[0]).toHaveProperty('create_time');
      const { job_version: _v, create_time: _c, ...rest } = full.jobs[0];
      expect(bare.jobs[0]).toEqual(rest);
      expect(Object.keys(bare.jobs[0])).toContain('analysis_config');
    });
});
