import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestStack, type TestStack } from '../support/localStack.js';
import { farequoteEpochNdjson } from '../support/sharedData.js';
import {
  cli, cliTotals, openedCliJob, startProxy,
} from './cliHarness.js';

// `post` without --max-bytes against a server that takes at most 1 MiB
// in one body, as an AWS user who forgets `--max-bytes 5mb` does.
const MiB = 1024 * 1024;
/** API Gateway's answer to a body over its limit, before any function. */
const GATEWAY_413 = JSON.stringify({ message: 'Request Entity Too Large' });

let stack: TestStack;
let dir: string;
let file: string;
let fileBytes: number;

// farequote.csv (see its README): 86,275 rows of four fields, A = 2
// (airline, responsetime). 5 days × 96 = 480 quarter hours, all holding
// 142 to 295 records: the last holds the latest record, so 479 close,
// none empty or sparse.
const oneUpload = () => ({
  processed_record_count: 86_275, processed_field_count: 86_275 * 2,
  input_bytes: fileBytes, input_field_count: 86_275 * 3,
  invalid_date_count: 0, missing_field_count: 0,
  out_of_order_timestamp_count: 0, empty_bucket_count: 0,
  sparse_bucket_count: 0, bucket_count: 479,
  earliest_record_timestamp: 1_449_446_400_000,
  latest_record_timestamp: 1_449_878_396_000, input_record_count: 86_275,
});

const newJob = (url: string, jobId: string) =>
  openedCliJob(url, jobId, '15m');
const totals = (jobId: string) => cliTotals(stack.url, jobId);

beforeAll(async () => {
  stack = await startTestStack({ maxBodyBytes: MiB });
  dir = await mkdtemp(join(tmpdir(), 'ml-intake-cli-'));
  const ndjson = farequoteEpochNdjson();
  fileBytes = Buffer.byteLength(ndjson);
  file = join(dir, 'farequote.ndjson');
  await writeFile(file, ndjson);
});

afterAll(async () => {
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a server limit below --max-bytes', () => {
  test('cuts the part again at the limit the server states, says so '
    + 'once, and counts as one upload would', async () => {
    await newJob(stack.url, 'stated');

    const posted = await cli(['--url', stack.url, '--json', 'post',
      'stated', file]);

    expect(posted.stderr).toBe(`ml-intake: the server refused an upload `
      + `of ${fileBytes.toLocaleString('en-US')} bytes; this run sends `
      + 'uploads of at most 1mb, as --max-bytes 1mb would\n');
    expect(JSON.parse(posted.stdout)).toMatchObject(oneUpload());
    expect(await totals('stated')).toMatchObject(oneUpload());
  });

  test('halves a part refused with no limit stated, as API Gateway '
    + 'refuses', async () => {
    await newJob(stack.url, 'halved');
    const sizes: number[] = [];
    const gateway = await startProxy(stack.url, async (_, path, body) => {
      if (!path.endsWith('/_data')) return undefined;
      sizes.push(body.length);
      return body.length > MiB ? { status: 413, body: GATEWAY_413 }
        : undefined;
    });

    const posted = await cli(['--url', gateway.url, '--json', 'post',
      'halved', file]);
    await gateway.close();

    // The whole file (7,470,334 bytes), then parts cut below 4, 2 and
    // 1 MiB: 64 KiB times the largest power of two below the size
    // refused. 7,470,334 bytes in parts of at most 1 MiB less the byte
    // kept for a bracket (1,048,575): 8 parts.
    expect(sizes[0]).toBe(fileBytes);
    const limits = [4 * MiB, 2 * MiB, MiB];
    limits.forEach((limit, i) => {
      expect(sizes[i + 1]).toBeLessThan(limit);
      expect(sizes[i + 1]).toBeGreaterThan(limit - 200);
    });
    expect(sizes).toHaveLength(3 + 8);
    expect(posted.stderr).toBe(`ml-intake: the server refused an upload `
      + `of ${fileBytes.toLocaleString('en-US')} bytes; this run sends `
      + 'uploads of at most 1mb, as --max-bytes 1mb would\n');
    expect(JSON.parse(posted.stdout)).toMatchObject(oneUpload());
    expect(await totals('halved')).toMatchObject(oneUpload());
  });

  test('stops at 64 KiB with what to do instead', async () => {
    await newJob(stack.url, 'refused');
    let posts = 0;
    const gateway = await startProxy(stack.url, async (_, path) => {
      if (!path.endsWith('/_data')) return undefined;
      posts += 1;
      return { status: 413, body: GATEWAY_413 };
    });

    const posted = await cli(['--url', gateway.url, 'post', 'refused',
      file]);
    await gateway.close();

    // The whole file, then below 4 MiB down to 64 KiB: 7 halvings.
    expect(posts).toBe(8);
    expect(posted).toEqual({ code: 1, stdout: '', stderr: 'ml-intake: '
      + 'part 1 failed: 413 error: Request Entity Too Large; the server '
      + 'refuses even an upload this small: use --via-s3; 0 parts '
      + 'committed before it: 0 bytes, 0 records; resume with: ml-intake '
      + `post refused ${file} --from-byte 0 --max-bytes 64kb\n` });
    expect((await totals('refused')).input_bytes).toBe(0);
  });
});
