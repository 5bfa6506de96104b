import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createS3Client } from '../../lib/store/objects.js';
import { callJson } from '../support/api.js';
import { startTestStack, type TestStack } from '../support/localStack.js';
import { farequoteEpochNdjson, farequoteRows } from '../support/sharedData.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.close();
});

const call = (method: string, path: string, body?: unknown) =>
  callJson(stack.url, method, path, body);

/** Asks `_uploads` until every object has ended. */
async function uploadsWhenEnded(jobId: string) {
  for (let tries = 0; tries < 100; tries += 1) {
    await stack.ingestIdle();
    const listed = await call('GET',
      `/_ml/anomaly_detectors/${jobId}/_uploads`);
    const states = listed.body.uploads.map((u: any) => u.state);
    if (states.length > 0 && states.every((s: string) =>
      s === 'done' || s === 'failed')) return listed.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the objects did not end');
}

const job = {
  analysis_config: { bucket_span: '3600s', detectors: [{ function: 'mean',
    field_name: 'responsetime', by_field_name: 'airline' }] },
  data_description: { time_field: 'time', time_format: 'epoch' },
};

// The first 1,000 rows of farequote.csv.
const body = farequoteEpochNdjson(farequoteRows().slice(0, 1_000));

describe('the S3 upload path of the local stack', () => {
  test('a presigned PUT with fetch is ingested and listed done', async () => {
    await call('PUT', '/_ml/anomaly_detectors/e2e-presigned', job);
    await call('POST', '/_ml/anomaly_detectors/e2e-presigned/_open');

    const presigned = await call('POST',
      '/_xpack/ml/anomaly_detectors/e2e-presigned/_upload',
      { file_name: 'day1.ndjson' });
    const put = await fetch(presigned.body.url, { method: 'PUT', body });
    const listed = await uploadsWhenEnded('e2e-presigned');

    expect(presigned.status).toBe(200);
    expect(presigned.body.key).toBe('jobs/e2e-presigned/day1.ndjson');
    expect(presigned.body.expires_at).toBeGreaterThan(Date.now());
    expect(put.status).toBe(200);
    expect(listed).toMatchObject({ count: 1, uploads: [{
      key: 'jobs/e2e-presigned/day1.ndjson', state: 'done',
      bytes_done: body.length, bytes_total: body.length,
      data_counts: { processed_record_count: 1_000, input_bytes: body.length,
        // The file's first row: 2015-12-07T00:00:00+0000.
        earliest_record_timestamp: 1_449_446_400_000 },
    }] });
    const stats = await call('GET',
      '/_ml/anomaly_detectors/e2e-presigned/_stats');
    expect(stats.body.jobs[0].data_counts.processed_record_count).toBe(1_000);
  });

  test('an SDK upload of a key with a space and a plus is ingested',
    async () => {
      await call('PUT', '/_ml/anomaly_detectors/e2e-sdk', job);
      await call('POST', '/_ml/anomaly_detectors/e2e-sdk/_open');
      const s3 = createS3Client({ endpoint: stack.s3Url });

      await s3.send(new PutObjectCommand({ Bucket: 'ml-intake',
        Key: 'jobs/e2e-sdk/a b+c.ndjson', Body: body }));
      const listed = await uploadsWhenEnded('e2e-sdk');

      expect(listed.uploads).toMatchObject([{
        key: 'jobs/e2e-sdk/a b+c.ndjson', state: 'done' }]);
    });

  test('a presigned URL needs a known job and a plain file name',
    async () => {
      const unknown = await call('POST',
        '/_ml/anomaly_detectors/e2e-nobody/_upload');
      await call('PUT', '/_ml/anomaly_detectors/e2e-names', job);
      const sneaky = await call('POST',
        '/_ml/anomaly_detectors/e2e-names/_upload',
        { file_name: '../other/x.json' });

      expect(unknown.status).toBe(404);
      expect(unknown.body.error.reason).toBe(
        "No known job with id 'e2e-nobody'");
      expect(sneaky.status).toBe(400);
      expect(sneaky.body.error.type).toBe('illegal_argument_exception');
    });

  test('a presigned URL needs an open job and a name S3 can hold',
    async () => {
      await call('PUT', '/_ml/anomaly_detectors/e2e-shut', job);
      const closed = await call('POST',
        '/_ml/anomaly_detectors/e2e-shut/_upload', { file_name: 'a.ndjson' });
      await call('POST', '/_ml/anomaly_detectors/e2e-shut/_open');
      // JSON.stringify sends the lone surrogate as the escape \ud800.
      const surrogate = await call('POST',
        '/_ml/anomaly_detectors/e2e-shut/_upload', { file_name: '\ud800' });

      expect(closed.status).toBe(409);
      expect(closed.body.error.reason).toBe('Cannot perform requested '
        + 'action because job [e2e-shut] is not open');
      expect(surrogate.status).toBe(400);
      expect(surrogate.body.error.type).toBe('illegal_argument_exception');
    });
});
