import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dynalite from 'dynalite';
import type { TestProject } from 'vitest/node';
import { startS3Server } from '../infra/local/s3Server.js';

/** The bucket of the shared s3rver; each test file uses its own prefix. */
export const TEST_BUCKET = 'ml-intake-test';

/**
 * Starts one in-memory dynalite for the whole run. Each test file makes its
 * own table (see test/store/fixtures.ts), so files never see each other.
 * Also one s3rver (in a child process with the flag it needs), whose data
 * folder is removed at the end.
 */
export default async function setup(project: TestProject) {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0 });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  project.provide('dynamoUrl', `http://127.0.0.1:${port}`);

  const s3Dir = await mkdtemp(join(tmpdir(), 'ml-intake-s3-'));
  const s3 = await startS3Server({ host: '127.0.0.1', port: 0,
    directory: s3Dir, bucketName: TEST_BUCKET, resetOnClose: true });
  project.provide('s3Url', s3.url);
  project.provide('s3Bucket', TEST_BUCKET);

  return async () => {
    await s3.close();
    await rm(s3Dir, { recursive: true, force: true });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoUrl: string;
    s3Url: string;
    s3Bucket: string;
  }
}
