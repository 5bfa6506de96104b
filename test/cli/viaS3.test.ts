import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestStack, type TestStack } from '../support/localStack.js';
import { cli, startProxy } from './cliHarness.js';

// `post --via-s3` against the local stack: its s3rver takes the presigned
// PUT and its ingest handler counts the object. farequote through S3 is
// compared with one HTTP upload in post.test.ts.
let stack: TestStack;
let dir: string;
let file: string;
// Two lines of 32 bytes: {"time":1449446400,"value":"1"} is 31 and a
// newline. Time in epoch seconds, one analysed field.
const DATA = '{"time":1449446400,"value":"1"}\n'
  + '{"time":1449446460,"value":"2"}\n';

async function newJob(jobId: string, open: boolean): Promise<void> {
  const created = await cli(['--url', stack.url, 'jobs', 'create', jobId,
    '--detector', 'mean(value)', '--time-format', 'epoch']);
  expect(created).toMatchObject({ code: 0, stderr: '' });
  if (open) {
    expect((await cli(['--url', stack.url, 'jobs', 'open', jobId])).code)
      .toBe(0);
  }
}

beforeAll(async () => {
  stack = await startTestStack();
  dir = await mkdtemp(join(tmpdir(), 'ml-intake-cli-'));
  file = join(dir, 'two.ndjson');
  await writeFile(file, DATA);
});

afterAll(async () => {
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

test('sends the whole file and prints the counts of its ingestion',
  async () => {
    await newJob('s3small', true);

    const result = await cli(['--url', stack.url, '--json', 'post',
      's3small', file, '--via-s3']);

    expect(result.stderr).toBe('');
    // A = 1 (value): 1 processed field per record; the time field is not
    // an input field.
    expect(JSON.parse(result.stdout)).toMatchObject({
      job_id: 's3small', processed_record_count: 2,
      processed_field_count: 2, input_bytes: 64, input_field_count: 2,
      input_record_count: 2, earliest_record_timestamp: 1_449_446_400_000,
      latest_record_timestamp: 1_449_446_460_000,
    });
  });

test('inflates a gzip file, known by its first bytes, as post does',
  async () => {
    await newJob('s3gzip', true);
    // No .gz in the name: the CLI tells gzip by its magic bytes.
    const gzipped = join(dir, 'two-compressed');
    await writeFile(gzipped, gzipSync(DATA));

    const result = await cli(['--url', stack.url, '--json', 'post',
      's3gzip', gzipped, '--via-s3']);

    expect(result.stderr).toBe('');
    // The same counts as the plain file above: input_bytes counts the
    // 64 inflated bytes.
    expect(JSON.parse(result.stdout)).toMatchObject({
      job_id: 's3gzip', processed_record_count: 2, input_bytes: 64,
      input_record_count: 2,
    });
    // Named as the server names uploads (UTC time, then a uuid), with .gz.
    const listed = await fetch(
      `${stack.url}/_ml/anomaly_detectors/s3gzip/_uploads`);
    const { uploads: [upload] } = await listed.json() as {
      uploads: Array<{ key: string }>;
    };
    expect(upload.key).toMatch(
      /^jobs\/s3gzip\/upload-\d{8}T\d{9}Z-[0-9a-f-]{36}\.gz$/);
  });

test('prints a table of the counts without --json', async () => {
  await newJob('s3table', true);

  const result = await cli(['--url', stack.url, 'post', 's3table', file,
    '--via-s3']);

  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(
    /^Ingested jobs\/s3table\/\S+ through S3 into job s3table\n\n/);
  expect(result.stdout).toMatch(/processed records\s+2\n/);
});

test('reports a failed ingestion in one line', async () => {
  // The two records, then one that the file ends inside: the server
  // records the object as failed, with nothing committed (one chunk).
  await newJob('s3bad', true);
  const bad = join(dir, 'cut.ndjson');
  await writeFile(bad, `${DATA}{"time":14494`);

  const result = await cli(['--url', stack.url, 'post', 's3bad', bad,
    '--via-s3']);

  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(new RegExp('^ml-intake: ingesting '
    + 'jobs/s3bad/\\S+ failed: The input JSON data is malformed; 0 of 77 '
    + 'bytes were counted before it stopped\n$'));
});

test('refuses a job that is not open before uploading anything',
  async () => {
    await newJob('s3shut', false);

    const result = await cli(['--url', stack.url, 'post', 's3shut', file,
      '--via-s3']);

    expect(result).toEqual({ code: 1, stdout: '', stderr: 'ml-intake: job '
      + 's3shut does not take data: it is closed; open it with '
      + "'ml-intake jobs open s3shut'; nothing was uploaded\n" });
    const listed = await fetch(
      `${stack.url}/_ml/anomaly_detectors/s3shut/_uploads`);
    expect(await listed.json()).toMatchObject({ uploads: [] });
  });

test('reads the 409 for the upload URL of a job closed since its state '
  + 'was asked', async () => {
  await newJob('s3race', true);
  const proxy = await startProxy(stack.url, async (_, path) => {
    if (path.endsWith('/_upload')) {
      await cli(['--url', stack.url, 'jobs', 'close', 's3race']);
    }
    return undefined;
  });

  const result = await cli(['--url', proxy.url, 'post', 's3race', file,
    '--via-s3']);
  await proxy.close();

  expect(result).toEqual({ code: 1, stdout: '', stderr: 'ml-intake: job '
    + 's3race does not take data: Cannot perform requested action because '
    + "job [s3race] is not open; open it with 'ml-intake jobs open "
    + "s3race'; nothing was uploaded\n" });
});

test('reports an ingestion that failed because the job was closed',
  async () => {
    // The job is closed once the upload URL is given, before the object
    // arrives: the server records the object as failed.
    await newJob('s3late', true);
    const proxy = await startProxy(stack.url, async (method, path) => {
      if (!path.endsWith('/_upload')) return undefined;
      const given = await fetch(`${stack.url}${path}`, { method });
      const body = await given.text();
      await cli(['--url', stack.url, 'jobs', 'close', 's3late']);
      return { status: given.status, body };
    });

    const result = await cli(['--url', proxy.url, 'post', 's3late', file,
      '--via-s3']);
    await proxy.close();

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp('^ml-intake: ingesting '
      + 'jobs/s3late/\\S+ failed: Cannot perform requested action because '
      + 'job \\[s3late\\] is not open; 0 of 64 bytes were counted before '
      + 'it stopped\n$'));
  });

test('needs a file by name', async () => {
  const result = await cli(['--url', stack.url, 'post', 's3small', '-',
    '--via-s3']);

  expect(result).toEqual({ code: 1, stdout: '', stderr: 'ml-intake: '
    + '--via-s3 needs a file by name: S3 must know the size before the '
    + 'upload starts\n' });
});

test('refuses a resume offset, which only the HTTP path has', async () => {
  const result = await cli(['--url', stack.url, 'post', 's3small', file,
    '--via-s3', '--from-byte', '32']);

  expect(result).toEqual({ code: 1, stdout: '', stderr: 'ml-intake: '
    + '--from-byte does not apply with --via-s3\n' });
});
