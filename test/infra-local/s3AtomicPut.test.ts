import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startS3Server, type S3Server } from '../../infra/local/s3Server.js';
import { abortedPut as abortedPutTo, filesOf } from '../support/abortedPut.js';

let dir: string;
let server: S3Server;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ml-intake-s3atomic-'));
  server = await startS3Server({ host: '127.0.0.1', port: 0,
    directory: dir, bucketName: 'ml-intake' });
}, 30_000);

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const urlOf = (key: string) => `${server.url}/ml-intake/${key}`;

const folderOf = (key: string) =>
  join(dir, 'ml-intake', ...key.split('/').slice(0, -1));
const filesOfKeyFolder = (folder: string) =>
  filesOf(join(dir, 'ml-intake', ...folder.split('/')));
const abortedPut = (key: string) =>
  abortedPutTo(server.url, `/ml-intake/${key}`, folderOf(key));

test('a PUT over an object cut off mid-body leaves the old object whole',
  async () => {
    // 1,000 lines of 11 bytes.
    const old = '{"time":1}\n'.repeat(1_000);
    await fetch(urlOf('jobs/atomic/a.ndjson'), { method: 'PUT', body: old });

    await abortedPut('jobs/atomic/a.ndjson');
    const got = await fetch(urlOf('jobs/atomic/a.ndjson'));
    const listed = await server.listObjects('jobs/atomic/');

    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe(`"${md5(old)}"`);
    expect(got.headers.get('content-length')).toBe('11000');
    expect(await got.text()).toBe(old);
    expect(listed).toEqual([expect.objectContaining(
      { key: 'jobs/atomic/a.ndjson', etag: md5(old), sizeBytes: 11_000 })]);
  });

test('a new object cut off mid-body is not stored', async () => {
  await abortedPut('jobs/atomic-new/b.ndjson');

  const got = await fetch(urlOf('jobs/atomic-new/b.ndjson'));

  expect(got.status).toBe(404);
  expect(await server.listObjects('jobs/atomic-new/')).toEqual([]);
});

test('an aws-chunked PUT over an object that fails to decode leaves it',
  async () => {
    const old = '{"time":3}\n';
    await fetch(urlOf('jobs/atomic/c.ndjson'), { method: 'PUT', body: old });

    // 13 bytes declared, a 7-byte chunk, then a bad chunk size.
    const refused = await fetch(urlOf('jobs/atomic/c.ndjson'), {
      method: 'PUT', body: `7\r\nchunk1-\r\n${'z'.repeat(64)}\r\n`,
      headers: { 'content-encoding': 'aws-chunked',
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'x-amz-decoded-content-length': '13' },
    });
    const got = await fetch(urlOf('jobs/atomic/c.ndjson'));

    expect(refused.status).toBe(400);
    expect(got.headers.get('etag')).toBe(`"${md5(old)}"`);
    expect(await got.text()).toBe(old);
    expect((await filesOfKeyFolder('jobs/atomic')).filter((file) =>
      file.startsWith('c.ndjson'))).toHaveLength(3);
  });

test('a PUT that completes replaces the object, its ETag and its type',
  async () => {
    await fetch(urlOf('jobs/atomic/d.json'), { method: 'PUT', body: '{}',
      headers: { 'content-type': 'application/json' } });

    const put = await fetch(urlOf('jobs/atomic/d.json'), { method: 'PUT',
      body: '{"time":4}\n', headers: { 'content-type': 'text/plain',
        'x-amz-meta-origin': 'test' } });
    const got = await fetch(urlOf('jobs/atomic/d.json'));

    expect(put.headers.get('etag')).toBe(`"${md5('{"time":4}\n')}"`);
    expect(got.headers.get('etag')).toBe(`"${md5('{"time":4}\n')}"`);
    expect(got.headers.get('content-type')).toBe('text/plain');
    expect(got.headers.get('x-amz-meta-origin')).toBe('test');
    expect(await got.text()).toBe('{"time":4}\n');
    // The object, its MD5 and its metadata; nothing written on the way.
    expect((await filesOfKeyFolder('jobs/atomic')).filter((file) =>
      file.startsWith('d.json'))).toHaveLength(3);
  });

/** What `folder` holds once an S3 server has started on `directory`. */
async function leftAfterStart(
  directory: string, folder: string,
): Promise<string[]> {
  const restarted = await startS3Server({ host: '127.0.0.1', port: 0,
    directory, bucketName: 'ml-intake', resetOnClose: true });
  try {
    return await readdir(folder);
  } finally {
    await restarted.close();
    await rm(directory, { recursive: true, force: true });
  }
}

test('a start removes what a process killed during a PUT left', async () => {
  const other = await mkdtemp(join(tmpdir(), 'ml-intake-s3partial-'));
  const folder = join(other, 'ml-intake', 'jobs', 'killed');
  await mkdir(folder, { recursive: true });
  const partial = 'a.ndjson._S3rver_object.partial-0123456789abcdef';
  for (const name of [partial, `${partial}.md5`, `${partial}.json`,
    'b.ndjson._S3rver_object']) {
    await writeFile(join(folder, name), '{"time":5}\n');
  }

  expect(await leftAfterStart(other, folder))
    .toEqual(['b.ndjson._S3rver_object']);
});

test('a start passes over a folder named as such a file', async () => {
  // What a PUT of jobs/a._S3rver_object.partial-0123456789abcdef/b made
  // before such keys were refused: the start failed on it with EISDIR.
  const other = await mkdtemp(join(tmpdir(), 'ml-intake-s3partial-'));
  const folder = join(other, 'ml-intake', 'jobs',
    'a._S3rver_object.partial-0123456789abcdef');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'b._S3rver_object'), 'hello');

  expect(await leftAfterStart(other, folder)).toEqual(['b._S3rver_object']);
});
