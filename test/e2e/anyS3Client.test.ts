import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  GetObjectCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { callJson } from '../support/api.js';
import { startTestStack, type TestStack } from '../support/localStack.js';
import { farequoteEpochNdjson, farequoteRows } from '../support/sharedData.js';

let stack: TestStack;
let s3: S3Client;

beforeAll(async () => {
  stack = await startTestStack();
  // As a user would make it: no checksum settings, so a stream body goes
  // out in the aws-chunked framing with a trailing CRC32.
  s3 = new S3Client({
    endpoint: stack.s3Url, region: 'us-east-1', forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
});

afterAll(async () => {
  s3?.destroy();
  await stack?.close();
});

const call = (method: string, path: string, body?: unknown) =>
  callJson(stack.url, method, path, body);

const job = {
  analysis_config: { bucket_span: '3600s', detectors: [{ function: 'mean',
    field_name: 'responsetime', by_field_name: 'airline' }] },
  data_description: { time_field: 'time', time_format: 'epoch' },
};

async function openJob(jobId: string) {
  await call('PUT', `/_ml/anomaly_detectors/${jobId}`, job);
  await call('POST', `/_ml/anomaly_detectors/${jobId}/_open`);
}

/** The counts of the job's one object, once it has ended. */
async function objectCounts(jobId: string) {
  for (let tries = 0; tries < 100; tries += 1) {
    await stack.ingestIdle();
    const listed = await call('GET',
      `/_ml/anomaly_detectors/${jobId}/_uploads`);
    const [upload] = listed.body.uploads;
    if (upload?.state === 'done' || upload?.state === 'failed') return upload;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the object did not end');
}

/** Counts that depend on the job, not on the bytes, left out. */
function comparable(counts: Record<string, unknown>) {
  const { job_id: _, last_data_time: __, ...rest } = counts;
  return rest;
}

// The first 20,000 rows of farequote.csv: about 2 MB, 31 chunks of 64 KiB.
const bytes = Buffer.from(
  farequoteEpochNdjson(farequoteRows().slice(0, 20_000)));
const md5 = createHash('md5').update(bytes).digest('hex');

describe('an S3 client with the SDK defaults', () => {
  let posted: Record<string, unknown>;
  beforeAll(async () => {
    await openJob('any-http');
    const response = await fetch(
      `${stack.url}/_ml/anomaly_detectors/any-http/_data`, {
        method: 'POST', headers: { 'content-type': 'application/x-ndjson' },
        body: bytes,
      });
    posted = await response.json() as Record<string, unknown>;
  });

  test.each([
    ['a stream', () => Readable.from([bytes.subarray(0, 1_000_003),
      bytes.subarray(1_000_003)])],
    ['a buffer', () => bytes],
  ])('stores %s as its bytes, counted as one HTTP upload of them',
    async (what, body) => {
      const jobId = what === 'a buffer' ? 'any-buffer' : 'any-stream';
      const key = `jobs/${jobId}/farequote.ndjson`;
      await openJob(jobId);

      const put = await s3.send(new PutObjectCommand({
        Bucket: 'ml-intake', Key: key, Body: body(),
        ContentLength: bytes.length,
      }));
      const got = await s3.send(new GetObjectCommand(
        { Bucket: 'ml-intake', Key: key }));
      const stored = Buffer.from(await got.Body!.transformToByteArray());
      const upload = await objectCounts(jobId);

      expect(put.ETag).toBe(`"${md5}"`);
      expect(got.ContentEncoding).toBeUndefined();
      expect(stored.equals(bytes)).toBe(true);
      expect(upload).toMatchObject({ state: 'done', etag: md5,
        bytes_total: bytes.length });
      expect(upload.data_counts.processed_record_count).toBe(20_000);
      expect(comparable(upload.data_counts)).toEqual(comparable(posted));
    });
});
