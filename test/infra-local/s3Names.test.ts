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
    const encoded = await send('PUT', '/data/escaped', { host: '%2e%2e' });

    expect([put.status, codeOf(put)]).toEqual([400, 'InvalidBucketName']);
    expect([aws.status, codeOf(aws)]).toEqual([400, 'InvalidBucketName']);
    expect([encoded.status, codeOf(encoded)]).toEqual(
      [400, 'InvalidBucketName']);
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

  test('holding s3rver\'s own file-name suffix gets 400', async () => {
    const partial = await send('PUT',
      '/ml-intake/jobs/a._S3rver_object.partial-0123456789abcdef/b', {}, 'x');
    const metadata = await send('PUT',
      '/ml-intake/jobs/a.ndjson._S3rver_metadata.json', {}, 'x');

    expect([partial.status, codeOf(partial)]).toEqual(
      [400, 'InvalidArgument']);
    expect([metadata.status, codeOf(metadata)]).toEqual(
      [400, 'InvalidArgument']);
  });

  test('in a copy source that does not decode gets 400', async () => {
    const cut = await send('PUT', '/ml-intake/jobs/copy',
      { 'x-amz-copy-source': '/ml-intake/%E0%A4%A' }, '');
    const bad = await send('PUT', '/ml-intake/jobs/copy',
      { 'x-amz-copy-source': '/ml-intake/ok%ZZ' }, '');

    expect([cut.status, codeOf(cut)]).toEqual([400, 'InvalidArgument']);
    expect([bad.status, codeOf(bad)]).toEqual([400, 'InvalidArgument']);
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

describe('a key too long for the file system', () => {
  // s3rver keeps a key's last segment as file names with suffixes of up
  // to 22 bytes ("._S3rver_metadata.json"), and ext4 takes names of 255
  // bytes: a last segment of 234 bytes failed with 500 and left files.
  // The bound is 200 bytes a segment; 'é' is 2 bytes in UTF-8.
  const files = async (dir: string) =>
    readdir(join(root, 'data', 'ml-intake', dir)).catch(() => []);

  test.each([
    ['a last segment of 201 bytes', `/ml-intake/long1/${'x'.repeat(201)}`],
    ['a last segment of 101 × é (202 bytes)',
      `/ml-intake/long2/${encodeURIComponent('é'.repeat(101))}`],
    ['a last segment of 240 bytes', `/ml-intake/long3/${'x'.repeat(240)}`],
    ['a folder segment of 201 bytes', `/ml-intake/long4/${'x'.repeat(201)}/a`],
    ['1,025 bytes in all', `/ml-intake/long5/${'x/'.repeat(509)}abc`],
  ])('with %s gets 400 KeyTooLongError and leaves no file', async (_, path) => {
    const put = await send('PUT', path);
    const dir = path.split('/')[2];

    expect([put.status, codeOf(put)]).toEqual([400, 'KeyTooLongError']);
    expect(await files(dir)).toEqual([]);
  });

  test('of 200 bytes a segment, 1,024 in all, is stored', async () => {
    // 'long6/' (6) + 5 × ('x' × 200 + '/') (1,005) + 'y' × 13 = 1,024.
    const key = `long6/${`${'x'.repeat(200)}/`.repeat(5)}${'y'.repeat(13)}`;
    const wide = `long7/${encodeURIComponent('é'.repeat(100))}`;

    const put = await send('PUT', `/ml-intake/${key}`);
    const putWide = await send('PUT', `/ml-intake/${wide}`);

    expect(Buffer.byteLength(key)).toBe(1_024);
    expect(put.status).toBe(200);
    expect(putWide.status).toBe(200);
  });
});
