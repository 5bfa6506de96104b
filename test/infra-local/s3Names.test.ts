import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startS3Server, type S3Server } from '../../infra/local/s3Server.js';

// The server's data folder is `<root>/data`: a request that got out of
// it would leave a file beside it, in `<root>`.
let root: string;
let server: S3Server;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ml-intake-s3names-'));
  await mkdir(join(root, 'data'));
  server = await startS3Server({ host: '127.0.0.1', port: 0,
    directory: join(root, 'data'), bucketName: 'ml-intake' });
}, 30_000);

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

interface Answer { status: number; body: string }

/**
 * One request with its path sent as written: fetch would resolve `..`
 * and `%2e%2e` segments before sending, as any URL parser does.
 */
function send(method: string, path: string,
  headers: Record<string, string> = {}, body = '{"time":1}\n',
): Promise<Answer> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const sent = request({ host: hostname, port, method, path,
      headers: { 'content-length': String(Buffer.byteLength(body)),
        ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0,
        body: Buffer.concat(chunks).toString() }));
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

const codeOf = (answer: Answer) =>
  /<Code>([^<]*)<\/Code>/.exec(answer.body)?.[1];

/** Every file and folder in the root but the data folder. */
const outside = async () =>
  (await readdir(root)).filter((name) => name !== 'data');

describe('a key that would leave the data folder', () => {
  test.each([
    ['.. segments', '/ml-intake/jobs/../../../escaped'],
    ['percent-encoded .. segments', '/ml-intake/jobs/%2e%2e/%2E%2E/%2e%2e/e'],
    ['.. segments behind an encoded slash', '/ml-intake/jobs%2F..%2F..%2F..%2Fe'],
    ['backslashes', '/ml-intake/jobs/..%5C..%5C..%5Cescaped'],
    ['a . segment', '/ml-intake/jobs/./x'],
    ['a NUL', '/ml-intake/jobs/a%00b'],
  ])('with %s gets 400 InvalidArgument and writes nothing', async (_, path) => {
    const put = await send('PUT', path);
    const got = await send('GET', path, {}, '');

    expect(put.status).toBe(400);
    expect(codeOf(put)).toBe('InvalidArgument');
    expect(got.status).toBe(400);
    expect(await outside()).toEqual([]);
  });

  test('as a bucket named by the Host header gets 400', async () => {
    // s3rver takes a bucket from a Host that is not an IP or localhost.
    const put = await send('PUT', '/data/escaped', { host: '..' });
    const aws = await send('PUT', '/data/escaped',
      { host: '...s3.amazonaws.com' });

    expect([put.status, codeOf(put)]).toEqual([400, 'InvalidBucketName']);
    expect([aws.status, codeOf(aws)]).toEqual([400, 'InvalidBucketName']);
    expect(await outside()).toEqual([]);
  });

  test('in an upload id, a part number or a copy source gets 400 or 404',
    async () => {
      const part = await send('PUT',
        '/ml-intake/jobs/a?partNumber=1&uploadId=..%2F..%2F..%2F..');
      const number = await send('PUT', '/ml-intake/jobs/a?partNumber='
        + '..%2F..%2F..%2Fe&uploadId=0123456789abcdef0123456789abcdef');
      const copy = await send('PUT', '/ml-intake/jobs/copy',
        { 'x-amz-copy-source': '/ml-intake/jobs/%2e%2e/%2e%2e/x' }, '');

      expect([part.status, codeOf(part)]).toEqual([404, 'NoSuchUpload']);
      expect([number.status, codeOf(number)]).toEqual(
        [400, 'InvalidArgument']);
      expect([copy.status, codeOf(copy)]).toEqual([400, 'InvalidArgument']);
      expect(await outside()).toEqual([]);
    });

  test('in a multi-object delete gets 400', async () => {
    // The ".." spelt as XML character references, which s3rver decodes.
    const deleted = await send('POST', '/ml-intake?delete', {},
      '<Delete><Object><Key>jobs/&#46;&#46;/&#46;&#46;/x</Key></Object>'
        + '</Delete>');

    expect([deleted.status, codeOf(deleted)]).toEqual(
      [400, 'InvalidArgument']);
  });
});

test('a POST object (HTML form) upload is refused and writes nothing',
  async () => {
    const boundary = 'form-boundary';
    const form = [`--${boundary}`,
      'Content-Disposition: form-data; name="key"', '', '../../escaped',
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="x"',
      'Content-Type: application/octet-stream', '', '{"time":1}',
      `--${boundary}--`, ''].join('\r\n');

    const posted = await send('POST', '/ml-intake',
      { 'content-type': `multipart/form-data; boundary=${boundary}` }, form);

    expect(posted.status).toBe(405);
    expect(codeOf(posted)).toBe('MethodNotAllowed');
    expect(posted.body).toContain('use PUT');
    expect(await outside()).toEqual([]);
  });

test('keys with dots inside their segments are stored and read back',
  async () => {
    const paths = ['/ml-intake/jobs/x/..hidden', '/ml-intake/jobs/.../a.b',
      '/ml-intake/jobs/x/a%20b%2Bc.ndjson'];

    for (const path of paths) {
      const put = await send('PUT', path);
      const got = await send('GET', path, {}, '');

      expect(put.status).toBe(200);
      expect([got.status, got.body]).toEqual([200, '{"time":1}\n']);
    }
  });
