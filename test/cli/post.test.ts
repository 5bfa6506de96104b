import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestStack, type TestStack } from '../support/localStack.js';
import { farequoteEpochNdjson } from '../support/sharedData.js';
import {
  cli, cliTotals, openedCliJob, startProxy,
} from './cliHarness.js';

// farequote.csv (see its README): 86,275 rows from 2015-12-07T00:00:00Z
// (1449446400 s) to 2015-12-11T23:59:56Z (1449878396 s), every field set.
const RECORDS = 86_275;
const EARLIEST_MS = 1_449_446_400_000;
const LATEST_MS = 1_449_878_396_000;

let stack: TestStack;
let dir: string;
let ndjsonFile: string;
let ndjsonBytes: number;
/** The counts of the whole file sent as one upload. */
let oneUpload: Record<string, unknown>;

const newJob = (url: string, jobId: string) =>
  openedCliJob(url, jobId, '1h');
const totals = (jobId: string) => cliTotals(stack.url, jobId);

/** Everything but what differs by job or by wall clock. */
function comparable(counts: Record<string, unknown>) {
  const { job_id: _, last_data_time: __, log_time: ___, ...rest } = counts;
  return rest;
}

beforeAll(async () => {
  stack = await startTestStack();
  dir = await mkdtemp(join(tmpdir(), 'ml-intake-cli-'));
  const ndjson = farequoteEpochNdjson();
  ndjsonBytes = Buffer.byteLength(ndjson);
  ndjsonFile = join(dir, 'farequote.ndjson');
  await writeFile(ndjsonFile, ndjson);
  await writeFile(join(dir, 'farequote.ndjson.gz'), gzipSync(ndjson));

  await newJob(stack.url, 'whole');
  const posted = await cli(['--url', stack.url, '--json', 'post', 'whole',
    ndjsonFile]);
  expect(posted.stderr).toBe('');
  oneUpload = JSON.parse(posted.stdout);
});

afterAll(async () => {
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('ml-intake post', () => {
  test('counts every record of farequote in one upload', () => {
    expect(oneUpload).toMatchObject({
      job_id: 'whole',
      processed_record_count: RECORDS,
      // A = 2 (airline, responsetime): 2 per record, nothing missing.
      processed_field_count: 2 * RECORDS,
      input_bytes: ndjsonBytes,
      // Four fields per record, minus the time field.
      input_field_count: 3 * RECORDS,
      invalid_date_count: 0,
      missing_field_count: 0,
      out_of_order_timestamp_count: 0,
      earliest_record_timestamp: EARLIEST_MS,
      latest_record_timestamp: LATEST_MS,
      input_record_count: RECORDS,
    });
  });

  test('prints the counts in the API key order', () => {
    expect(Object.keys(oneUpload)).toEqual([
      'job_id', 'processed_record_count', 'processed_field_count',
      'input_bytes', 'input_field_count', 'invalid_date_count',
      'missing_field_count', 'out_of_order_timestamp_count',
      'empty_bucket_count', 'sparse_bucket_count', 'bucket_count',
      'earliest_record_timestamp', 'latest_record_timestamp',
      'last_data_time', 'input_record_count',
    ]);
  });

  test('gives the same totals when the file is cut into 1 MiB uploads',
    async () => {
      await newJob(stack.url, 'split');

      const posted = await cli(['--url', stack.url, '--json', 'post',
        'split', ndjsonFile, '--max-bytes', '1mb']);

      expect(posted.stderr).toBe('');
      expect(comparable(JSON.parse(posted.stdout)))
        .toEqual(comparable(oneUpload));
      expect(comparable(await totals('split')))
        .toEqual(comparable(await totals('whole')));
    });

  test('reads a gzip file and gives the same totals', async () => {
    await newJob(stack.url, 'gzipped');

    const posted = await cli(['--url', stack.url, '--json', 'post',
      'gzipped', join(dir, 'farequote.ndjson.gz'), '--max-bytes', '2mb']);

    expect(posted.stderr).toBe('');
    expect(comparable(JSON.parse(posted.stdout)))
      .toEqual(comparable(oneUpload));
  });

  test('gives the same totals when the file goes through S3', async () => {
    await newJob(stack.url, 'through-s3');

    const posted = await cli(['--url', stack.url, '--json', 'post',
      'through-s3', ndjsonFile, '--via-s3']);

    expect(posted.stderr).toBe('');
    expect(comparable(JSON.parse(posted.stdout)))
      .toEqual(comparable(oneUpload));
    expect(comparable(await totals('through-s3')))
      .toEqual(comparable(await totals('whole')));
  });

  test('prints a readable table without --json', async () => {
    await newJob(stack.url, 'table');

    const posted = await cli(['--url', stack.url, 'post', 'table',
      ndjsonFile, '--max-bytes', '4mb']);

    // 7,470,334 bytes in parts of at most 4 MiB: two uploads.
    expect(posted.stdout).toContain(
      'Posted 86,275 records in 2 uploads to job table');
    expect(posted.stdout).toMatch(/processed records\s+86,275\n/);
    expect(posted.stdout).toMatch(/out of order timestamps\s+0\n/);
    expect(posted.stdout).toMatch(
      /earliest record\s+2015-12-07T00:00:00.000Z\n/);
  });
});

describe('a post whose records cannot be counted', () => {
  test('ends with a warning in words, not only a table of zeros', async () => {
    await newJob(stack.url, 'wrong-format');
    const file = join(dir, 'text-times.ndjson');
    // Two records whose times are text while the job expects epoch seconds.
    await writeFile(file, '{"time":"2015-12-07T00:00:00+0000",'
      + '"airline":"AAL","responsetime":"1"}\n{"time":"2015-12-07T00:00:01'
      + '+0000","airline":"AAL","responsetime":"2"}\n');

    const posted = await cli(['--url', stack.url, 'post', 'wrong-format',
      file]);

    expect(posted.code).toBe(0);
    expect(posted.stdout).toMatch(/processed records\s+0\n/);
    expect(posted.stdout).toContain('warning: 2 records (100.0% of the '
      + 'input) had no time or one that could not be read');
  });
});

describe('an interrupted post', () => {
  test('stops at a failed part, says how to resume, and resumed gives the '
    + 'same totals', async () => {
    await newJob(stack.url, 'resumed');
    let dataPosts = 0;
    // The job is closed just before the third part arrives.
    const proxy = await startProxy(stack.url, async (method, path) => {
      if (!path.endsWith('/_data')) return undefined;
      dataPosts += 1;
      if (dataPosts === 3) {
        await cli(['--url', stack.url, 'jobs', 'close', 'resumed']);
      }
      return undefined;
    });

    const failed = await cli(['--url', proxy.url, 'post', 'resumed',
      ndjsonFile, '--max-bytes', '1mb']);
    await proxy.close();

    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr.split('\n')).toHaveLength(2);
    const match = new RegExp('^ml-intake: part 3 failed: 409 '
      + 'status_exception: Cannot perform requested action because job '
      + '\\[resumed\\] is not open; 2 parts committed before it: '
      + '([\\d,]+) bytes, ([\\d,]+) records; resume with: ml-intake post '
      + 'resumed \\S+ --from-byte (\\d+)\n$')
      .exec(failed.stderr);
    expect(match).not.toBeNull();
    const [, bytes, records, offset] = match!;
    expect(Number(bytes.replaceAll(',', ''))).toBe(Number(offset));
    // Two parts of at most 1 MiB - 1 bytes each (one is kept for a
    // bracket), each within one record (about 100 bytes) of that.
    expect(Number(offset)).toBeLessThanOrEqual(2 * (1024 * 1024 - 1));
    expect(Number(offset)).toBeGreaterThan(2 * (1024 * 1024 - 200));
    expect((await totals('resumed')).processed_record_count)
      .toBe(Number(records.replaceAll(',', '')));

    expect((await cli(['--url', stack.url, 'jobs', 'open', 'resumed']))
      .code).toBe(0);
    const resumed = await cli(['--url', stack.url, 'post', 'resumed',
      ndjsonFile, '--max-bytes', '1mb', '--from-byte', offset]);

    expect(resumed).toMatchObject({ code: 0, stderr: '' });
    expect(comparable(await totals('resumed')))
      .toEqual(comparable(await totals('whole')));
  });

  test('refuses a resume offset inside a record', async () => {
    // Byte 5 of the file is inside the first record, `{"time":...`.
    const result = await cli(['--url', stack.url, 'post', 'whole',
      ndjsonFile, '--from-byte', '5']);

    expect(result).toEqual({
      code: 1, stdout: '',
      stderr: 'ml-intake: --from-byte 5 is not a record boundary; use the '
        + 'offset printed by the failed run\n',
    });
  });
});
