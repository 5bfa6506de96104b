import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand, CreateMultipartUploadCommand,
  GetObjectCommand, PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startS3Server, type S3Server } from '../../infra/local/s3Server.js';

let dir: string;
let server: S3Server;
let client: S3Client;
const events: S3Event[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ml-intake-s3rver-'));
  server = await startS3Server({ host: '127.0.0.1', port: 0,
    directory: dir, bucketName: 'ml-intake', resetOnClose: true });
  server.onEvent((event) => events.push(event));
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

describe('a body in the aws-chunked framing', () => {
  /** A PUT as an SDK frames it, sent as it is, without signing. */
  const framedPut = (key: string, body: string, decodedLength: number) =>
    fetch(`${server.url}/ml-intake/${key}`, {
      method: 'PUT', body,
      headers: {
        'content-encoding': 'aws-chunked',
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'x-amz-decoded-content-length': String(decodedLength),
        'x-amz-trailer': 'x-amz-checksum-crc32',
      },
    });

  const created = (key: string) => events.filter((event) =>
    event.Records[0].s3.object.key === key
      && event.Records[0].eventName.startsWith('ObjectCreated:'));

  /**
   * Events come in order over the child's IPC channel: once the event of
   * a PUT made now has come, every earlier one has.
   */
  async function eventsSettled(): Promise<void> {
    const key = `jobs/framed/marker-${events.length}`;
    await put(key);
    while (created(key).length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  test('is stored decoded, with aws-chunked dropped from its encoding',
    async () => {
      // 7 + 6 bytes (local-stand-ins.md, gotcha 1).
      const put = await framedPut('jobs/framed/ok', '7\r\nchunk1-\r\n'
        + '6\r\nchunk2\r\n0\r\nx-amz-checksum-crc32:nCcgQA==\r\n\r\n', 13);
      const got = await fetch(`${server.url}/ml-intake/jobs/framed/ok`);
      await eventsSettled();

      expect(put.status).toBe(200);
      expect(got.headers.get('content-encoding')).toBeNull();
      expect(got.headers.get('content-length')).toBe('13');
      expect(await got.text()).toBe('chunk1-chunk2');
      expect(created('jobs/framed/ok')).toHaveLength(1);
    });

  test.each([
    ['a bad chunk size', 'zz\r\nchunk1-\r\n0\r\n\r\n', 'InvalidRequest'],
    ['a body cut short', '7\r\nchunk1', 'IncompleteBody'],
    ['fewer bytes than declared', '7\r\nchunk1-\r\n0\r\n\r\n',
      'IncompleteBody'],
  ])('with %s gets 400 and no object event', async (_, body, code) => {
    const key = `jobs/framed/${code}-${body.length}`;
    const refused = await framedPut(key, body, 13);
    await eventsSettled();

    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain(`<Code>${code}</Code>`);
    expect(created(key)).toHaveLength(0);
  });

  test('of a multipart upload part is stored decoded', async () => {
    const sdk = new S3Client({
      endpoint: server.url, region: 'us-east-1', forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const key = 'jobs/framed/parts';
    const data = Buffer.from('{"time":1}\n'.repeat(10_000));
    try {
      const { UploadId } = await sdk.send(new CreateMultipartUploadCommand(
        { Bucket: 'ml-intake', Key: key }));
      const part = await sdk.send(new UploadPartCommand({
        Bucket: 'ml-intake', Key: key, UploadId, PartNumber: 1,
        Body: Readable.from([data]), ContentLength: data.length,
      }));
      await sdk.send(new CompleteMultipartUploadCommand({
        Bucket: 'ml-intake', Key: key, UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }));
      const got = await sdk.send(new GetObjectCommand(
        { Bucket: 'ml-intake', Key: key }));

      expect(Buffer.from(await got.Body!.transformToByteArray()))
        .toEqual(data);
    } finally {
      sdk.destroy();
    }
  });
});

test('lists the objects under a prefix with their ETag and size', async () => {
  await put('jobs/listed/one.ndjson');
  await put('other/listed.ndjson');

  const listed = await server.listObjects('jobs/listed/');

  // '{"time":1}\n' is 11 bytes; its MD5 worked out with node:crypto.
  const md5 = createHash('md5').update('{"time":1}\n').digest('hex');
  expect(listed).toEqual([{ key: 'jobs/listed/one.ndjson', etag: md5,
    sizeBytes: 11, lastModifiedMs: expect.any(Number) }]);
  expect(listed[0].lastModifiedMs % 1000).toBe(0);
});

describe('a request that a web page sends', () => {
  // A browser adds Origin to every cross-origin request and to the CORS
  // preflight, and a sandboxed page sends "null"; no S3 client of this
  // product sends one.
  const fromPage = (method: string, path: string, origin: string) =>
    fetch(`${server.url}/ml-intake${path}`, { method,
      headers: { origin, 'access-control-request-method': 'PUT' },
      body: method === 'PUT' || method === 'POST' ? '{"time":1}\n'
        : undefined });

  test.each([
    ['PUT', '/jobs/page/put', 'https://example.com'],
    ['POST', '', 'null'],
    ['OPTIONS', '/jobs/page/options', 'http://127.0.0.1:8080'],
  ])('%s of "%s" with Origin %s gets 403 AccessDenied', async (method, path,
    origin) => {
    const refused = await fromPage(method, path, origin);

    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('<Code>AccessDenied</Code>');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('cannot write or read an object', async () => {
    await put('jobs/page/secret');

    const written = await fromPage('PUT', '/jobs/page/new', 'https://x.test');
    const read = await fromPage('GET', '/jobs/page/secret', 'https://x.test');
    const after = await fetch(`${server.url}/ml-intake/jobs/page/new`);

    expect(written.status).toBe(403);
    expect(read.status).toBe(403);
    expect(await read.text()).not.toContain('"time"');
    expect(after.status).toBe(404);
  });
});

describe('the body of a GET', () => {
  // 3 MiB and 5 bytes: more than the four 256 KiB buffers the body is
  // sent from, and not a whole number of them.
  const bytes = randomBytes(3 * 1024 * 1024 + 5);
  const get = (range?: string) => fetch(`${server.url}/ml-intake/jobs/body/`
    + 'large', { headers: range === undefined ? {} : { range } });

  beforeAll(async () => {
    await client.send(new PutObjectCommand({ Bucket: 'ml-intake',
      Key: 'jobs/body/large', Body: bytes }));
  });

  test('is the whole object, byte for byte', async () => {
    const answer = await get();

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-length')).toBe(String(bytes.length));
    expect(Buffer.from(await answer.arrayBuffer()).equals(bytes)).toBe(true);
  });

  test('of a range across buffer edges is that range', async () => {
    // From inside the first buffer to inside the eleventh.
    const answer = await get('bytes=100000-2700000');

    expect(answer.status).toBe(206);
    expect(answer.headers.get('content-range'))
      .toBe(`bytes 100000-2700000/${bytes.length}`);
    expect(Buffer.from(await answer.arrayBuffer())
      .equals(bytes.subarray(100_000, 2_700_001))).toBe(true);
  });

  test('of an empty object is empty', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'ml-intake',
      Key: 'jobs/body/empty', Body: '' }));

    const answer = await fetch(`${server.url}/ml-intake/jobs/body/empty`);

    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('');
  });

  test('read part-way by a client that leaves does not stop the next',
    async () => {
      const left = new AbortController();
      const partial = await fetch(`${server.url}/ml-intake/jobs/body/large`,
        { signal: left.signal });
      await partial.body?.getReader().read();
      left.abort();

      const next = await get();

      expect(Buffer.from(await next.arrayBuffer()).equals(bytes)).toBe(true);
    });
});
