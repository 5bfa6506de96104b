import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import {
  LocalStartError, startLocalStack, type LocalStack,
} from '../../infra/local/stack.js';
import { createS3Client } from '../../lib/store/objects.js';
import { abortedPut } from '../support/abortedPut.js';
import { jobsApi } from '../support/api.js';
import { farequoteEpochNdjson, farequoteRows } from '../support/sharedData.js';

const dirs: string[] = [];
const stacks: LocalStack[] = [];
afterEach(async () => {
  for (const stack of stacks.splice(0)) await stack.close();
  for (const dir of dirs.splice(0)) {
    await rm(dir, { recursive: true, force: true });
  }
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ml-intake-start-'));
  dirs.push(dir);
  return dir;
}

async function start(dir: string, overrides: {
  port?: number; s3Port?: number; chunkBytes?: number; lines?: string[];
} = {}): Promise<LocalStack> {
  const { lines } = overrides;
  const logger = lines === undefined ? pino({ level: 'silent' })
    : pino(new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    }));
  const stack = await startLocalStack({
    host: '127.0.0.1', port: overrides.port ?? 0, dataDir: dir,
    s3Port: overrides.s3Port ?? 0, auth: 'off', logger,
    ingest: overrides.chunkBytes === undefined ? undefined
      : { chunkBytes: overrides.chunkBytes },
  });
  stacks.push(stack);
  return stack;
}

interface Upload { key: string; state: string }

/** The job's uploads once one of them is as `wanted`, asked every 5 ms. */
async function untilUpload(
  api: ReturnType<typeof jobsApi>, jobId: string,
  wanted: (upload: Upload) => boolean,
): Promise<Upload[]> {
  for (;;) {
    const { json } = await api.request('GET',
      `/_ml/anomaly_detectors/${jobId}/_uploads`);
    const uploads = json.uploads as Upload[];
    if (uploads.some(wanted)) return uploads;
    await new Promise((resolve) => { setTimeout(resolve, 5); });
  }
}

/** A port something else listens on, for the time of the test. */
async function takenPort(): Promise<{ port: number; free(): void }> {
  const holder = createServer();
  await new Promise<void>((resolve) => {
    holder.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = holder.address() as { port: number };
  return { port, free: () => holder.close() };
}

describe('a stack that cannot start says why in one line', () => {
  test('when another server has its data folder', async () => {
    const dir = await dataDir();
    await start(dir);

    await expect(start(dir)).rejects.toThrowError(new LocalStartError(
      `the local data in ${dir} is in use by another ml-intake server; `
        + 'stop it, or start this one with another ML_DATA_DIR'));
  });

  test('when its API port is taken', async () => {
    const taken = await takenPort();
    try {
      await expect(start(await dataDir(), { port: taken.port }))
        .rejects.toThrowError(new LocalStartError(`port ${taken.port} on `
          + '127.0.0.1 is in use; stop what listens there, or set PORT to '
          + 'another port (0 picks a free one)'));
    } finally {
      taken.free();
    }
  });

  test('when its S3 port is taken, at once', async () => {
    const taken = await takenPort();
    try {
      // s3rver used to swallow the error and be waited for 15 s.
      const startedMs = Date.now();
      await expect(start(await dataDir(), { s3Port: taken.port }))
        .rejects.toThrowError(new LocalStartError('the local S3 port '
          + `${taken.port} is in use; stop what listens there, or set `
          + 'S3_PORT to another port (0 picks a free one)'));
      expect(Date.now() - startedMs).toBeLessThan(10_000);
    } finally {
      taken.free();
    }
  });
});

test('a stack stopped part-way through an object stops at a commit, and '
  + 'the next start counts the rest once', async () => {
  const dir = await dataDir();
  // 20,000 farequote rows in epoch seconds, about 1.8 MB: 110 chunks.
  const body = farequoteEpochNdjson(farequoteRows().slice(0, 20_000));
  const job = {
    analysis_config: { bucket_span: '1h', detectors: [{ function: 'count' }] },
    data_description: { time_field: 'time', time_format: 'epoch' },
  };
  const lines: string[] = [];
  const first = await start(dir, { chunkBytes: 16 * 1024, lines });
  const api = jobsApi(first.url);
  await api.openedJob('halted', job);
  await createS3Client({ endpoint: first.s3Url }).send(new PutObjectCommand({
    Bucket: 'ml-intake', Key: 'jobs/halted/rows.ndjson', Body: body,
  }));
  await untilUpload(api, 'halted', (upload) => upload.state === 'ingesting');

  await first.close();
  stacks.splice(stacks.indexOf(first), 1);
  // The turn under way ended at a commit, part-way, and was not retried.
  const turns = lines.map((line) => JSON.parse(line))
    .filter((line) => line.msg === 'object');
  expect(turns).toEqual([expect.objectContaining({ outcome: 'paused' })]);
  expect(turns[0].bytesDone).toBeLessThan(body.length);
  const second = await start(dir, { chunkBytes: 16 * 1024 });
  await second.ingestIdle();

  const [upload] = (await jobsApi(second.url).request('GET',
    '/_ml/anomaly_detectors/halted/_uploads')).json.uploads;
  expect(upload).toMatchObject({ state: 'done', bytes_total: body.length });
  // Every row once: 20,000 records of 4 fields, in order.
  expect(await jobsApi(second.url).dataCounts('halted')).toMatchObject({
    processed_record_count: 20_000, input_bytes: body.length,
    out_of_order_timestamp_count: 0, invalid_date_count: 0 });
});

test('an object waiting behind another of its job is listed queued',
  async () => {
    const dir = await dataDir();
    const stack = await start(dir, { chunkBytes: 16 * 1024 });
    const api = jobsApi(stack.url);
    await api.openedJob('waits', {
      analysis_config: { bucket_span: '1h',
        detectors: [{ function: 'count' }] },
      data_description: { time_field: 'time', time_format: 'epoch' },
    });
    const rows = farequoteRows();
    const s3 = createS3Client({ endpoint: stack.s3Url });
    const put = (key: string, body: string) => s3.send(new PutObjectCommand({
      Bucket: 'ml-intake', Key: `jobs/waits/${key}`, Body: body }));
    // 20,000 rows take a good many 16 KiB chunks; the second file waits.
    await put('a.ndjson', farequoteEpochNdjson(rows.slice(0, 20_000)));
    const later = farequoteEpochNdjson(rows.slice(20_000, 20_010));
    await put('b.ndjson', later);

    const listed = await untilUpload(api, 'waits',
      (upload) => upload.key === 'jobs/waits/b.ndjson');
    await stack.ingestIdle();

    // Listed while the first is still to be counted or being counted
    // (it shows ingesting from its first commit).
    expect(listed).toEqual([
      expect.objectContaining({ key: 'jobs/waits/a.ndjson',
        state: expect.stringMatching(/^(queued|ingesting)$/) }),
      expect.objectContaining({ key: 'jobs/waits/b.ndjson', state: 'queued',
        bytes_done: 0, bytes_total: later.length }),
    ]);
    expect(await api.dataCounts('waits')).toMatchObject({
      processed_record_count: 20_010 });
  });

test('a start whose S3 listing fails logs one line and serves', async () => {
  const dir = await dataDir();
  // What a PUT with a key segment of 240 bytes left in older versions: the
  // object's file (a name of 255 bytes), whose metadata file's name is
  // too long to open, so that listing the bucket failed (ENAMETOOLONG).
  const jobDir = join(dir, 's3', 'ml-intake', 'jobs', 'left');
  await mkdir(jobDir, { recursive: true });
  await writeFile(join(jobDir, `${'x'.repeat(240)}._S3rver_object`), '{}');
  const lines: string[] = [];

  const stack = await start(dir, { lines });
  const api = jobsApi(stack.url);
  await api.openedJob('left', {
    analysis_config: { bucket_span: '1h', detectors: [{ function: 'count' }] },
    data_description: { time_field: 'time', time_format: 'epoch' },
  });
  await createS3Client({ endpoint: stack.s3Url }).send(new PutObjectCommand({
    Bucket: 'ml-intake', Key: 'jobs/left/new.ndjson', Body: '{"time":1}\n',
  }));
  await untilUpload(api, 'left', (upload) => upload.state === 'done');

  const failed = lines.map((line) => JSON.parse(line))
    .filter((line) => line.level >= 50);
  expect(failed).toEqual([expect.objectContaining({
    code: 'ENAMETOOLONG',
    msg: 'the local S3 could not be listed at start: objects a stopped '
      + 'process left unfinished are not delivered again',
  })]);
  expect(failed[0].msg).not.toContain('xxx');
  expect(await api.dataCounts('left')).toMatchObject(
    { processed_record_count: 1 });
});

test('PUTs cut off mid-body change nothing, before or after a restart',
  async () => {
    const dir = await dataDir();
    const first = await start(dir);
    const api = jobsApi(first.url);
    await api.openedJob('cut', {
      analysis_config: { bucket_span: '1h',
        detectors: [{ function: 'count' }] },
      data_description: { time_field: 'time', time_format: 'epoch' },
    });
    // 100 records; the cut PUTs send 455 more of another time.
    await createS3Client({ endpoint: first.s3Url }).send(new PutObjectCommand(
      { Bucket: 'ml-intake', Key: 'jobs/cut/a.ndjson',
        Body: '{"time":1}\n'.repeat(100) }));
    await untilUpload(api, 'cut', (upload) => upload.state === 'done');
    const folder = join(dir, 's3', 'ml-intake', 'jobs', 'cut');

    await abortedPut(first.s3Url, '/ml-intake/jobs/cut/a.ndjson', folder);
    await abortedPut(first.s3Url, '/ml-intake/jobs/cut/b.ndjson', folder);
    await first.ingestIdle();
    await first.close();
    stacks.splice(stacks.indexOf(first), 1);
    const second = await start(dir);
    await second.ingestIdle();

    const again = jobsApi(second.url);
    const { uploads } = (await again.request('GET',
      '/_ml/anomaly_detectors/cut/_uploads')).json;
    expect(uploads).toEqual([expect.objectContaining(
      { key: 'jobs/cut/a.ndjson', state: 'done', bytes_total: 1_100 })]);
    expect(await again.dataCounts('cut')).toMatchObject(
      { processed_record_count: 100, input_bytes: 1_100 });
  });
