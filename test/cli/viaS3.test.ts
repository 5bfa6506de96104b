import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { cli } from './cliHarness.js';

// The server side of the S3 path is not part of this service yet: this
// stand-in answers `_upload` and `_uploads` in the documented shapes and
// takes the presigned PUT itself.
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

async function standIn(finalState: 'done' | 'failed') {
  const received: Buffer[] = [];
  let polls = 0;
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '';
      const send = (body: unknown) => response.end(JSON.stringify(body));
      if (request.method === 'POST' && path.endsWith('/_upload')) {
        send({ url: `${base}/bucket/jobs/s3job/u1`, key: 'jobs/s3job/u1',
          expires_at: 0 });
      } else if (request.method === 'PUT') {
        received.push(...chunks);
        response.end();
      } else if (path.endsWith('/_uploads')) {
        polls += 1;
        const state = polls < 2 ? 'ingesting' : finalState;
        send({ count: 1, uploads: [{
          key: 'jobs/s3job/u1', state, bytes_done: 10, bytes_total: 20,
          data_counts: { job_id: 's3job', processed_record_count: 2 },
          ...(state === 'failed' ? { error: 'the job was closed' } : {}),
        }] });
      } else {
        response.statusCode = 404;
        response.end('{}');
      }
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1',
    () => resolve()));
  const base = `http://127.0.0.1:${(server!.address() as { port: number })
    .port}`;
  return { base, received };
}

test('sends the whole file and prints the counts of its ingestion',
  async () => {
    const { base, received } = await standIn('done');
    const dir = await mkdtemp(join(tmpdir(), 'ml-intake-cli-'));
    const file = join(dir, 'two.ndjson');
    await writeFile(file, '{"time":1}\n{"time":2}\n');

    const result = await cli(['--url', base, '--json', 'post', 's3job',
      file, '--via-s3']);
    await rm(dir, { recursive: true, force: true });

    expect(result.stderr).toBe('');
    expect(Buffer.concat(received).toString())
      .toBe('{"time":1}\n{"time":2}\n');
    expect(JSON.parse(result.stdout))
      .toEqual({ job_id: 's3job', processed_record_count: 2 });
  });

test('reports a failed ingestion in one line', async () => {
  const { base } = await standIn('failed');
  const dir = await mkdtemp(join(tmpdir(), 'ml-intake-cli-'));
  const file = join(dir, 'two.ndjson');
  await writeFile(file, '{"time":1}\n');

  const result = await cli(['--url', base, 'post', 's3job', file,
    '--via-s3']);
  await rm(dir, { recursive: true, force: true });

  expect(result).toEqual({
    code: 1, stdout: '',
    stderr: 'ml-intake: ingesting jobs/s3job/u1 failed: the job was '
      + 'closed; 10 of 20 bytes were counted before it stopped\n',
  });
});
