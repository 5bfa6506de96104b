import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startS3Server, type S3Server } from '../../infra/local/s3Server.js';

let dir: string;
let server: S3Server;
let client: S3Client;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ml-intake-s3rver-'));
  server = await startS3Server({ host: '127.0.0.1', port: 0,
    directory: dir, bucketName: 'ml-intake', resetOnClose: true });
  client = new S3Client({
    endpoint: server.url, region: 'us-east-1', forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED', maxAttempts: 1,
  });
}, 30_000);

afterAll(async () => {
  client?.destroy();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const put = (key: string) => client.send(new PutObjectCommand(
  { Bucket: 'ml-intake', Key: key, Body: '{"time":1}\n' }));

test('keeps serving after a key it cannot store on disk', async () => {
  // S3 allows keys of 1,024 bytes in any segments; s3rver writes each
  // segment as a file name, which the file system caps at 255 bytes.
  await expect(put(`jobs/a/${'x'.repeat(300)}.ndjson`)).rejects.toThrow();

  const next = await put('jobs/a/small.ndjson');

  expect(next.$metadata.httpStatusCode).toBe(200);
});
