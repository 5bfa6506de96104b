import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { pino } from 'pino';
import {
  afterAll, beforeAll, beforeEach, describe, expect, test,
} from 'vitest';
import { startLocalStack } from '../../infra/local/stack.js';

/**
 * Hostile bodies through real HTTP, with a key, against one open job:
 * each gets a clear 4xx, the server stays up, its memory stays bounded,
 * and the job's totals are those of the one good upload alone.
 */

const MiB = 1024 * 1024;
const JOB = 'hostile';
// The defaults of lib/config.ts, set here so the reasons below are known.
const LIMITS = {
  maxBodyBytes: 100 * MiB,
  readerLimits: {
    maxRecordBytes: 10 * MiB, maxDepth: 1000, maxFieldsPerRecord: 10_000,
  },
};
/**
 * The local path holds a body about three times while refusing it (the
 * buffered request, its copy in the event, the decoded bytes) and the
 * reader's record up to 10 MiB: some 190 MB for the 50 MB body. An unbounded
 * reader or inflater would pass this bound many times over.
 */
const RSS_GROWTH_BOUND = 300 * MiB;

let stack: Awaited<ReturnType<typeof startLocalStack>>;
let dataDir: string;
let auth: Record<string, string>;
let rssBefore: number;
/**
 * The hostile bodies are built before memory is first measured: the
 * bound is on what the server holds while refusing them, not on the
 * test's own copies.
 */
let bigString: Buffer;
let bomb: Buffer;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ml-intake-hostile-'));
  stack = await startLocalStack({
    host: '127.0.0.1', port: 0, dataDir, auth: 'on', config: LIMITS,
    logger: pino({ level: 'silent' }),
  });
  const encoded = (await readFile(join(dataDir, 'api-key'), 'utf8')).trim();
  auth = { authorization: `ApiKey ${encoded}` };

  await call('PUT', `/_ml/anomaly_detectors/${JOB}`, JSON.stringify({
    analysis_config: { bucket_span: '1h', detectors: [
      { function: 'mean', field_name: 'responsetime' }] },
    data_description: { time_field: 'time', time_format: 'epoch' },
  }));
  await call('POST', `/_ml/anomaly_detectors/${JOB}/_open`);
  bigString = Buffer.from(
    `{"time":1403481602,"s":"${'a'.repeat(50 * MiB)}"}`);
  bomb = await gzipSpaces(200);
});

beforeEach(() => {
  rssBefore = process.memoryUsage().rss;
});

afterAll(async () => {
  await stack.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function call(
  method: string, path: string, body?: Uint8Array | string,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${stack.url}${path}`, {
    method, body,
    headers: { ...auth, 'content-type': 'application/json', ...headers },
  });
  return { status: response.status, body: await response.json() as any };
}

/** What the 202 answers counted, to compare with the job's totals. */
const accepted = { records: 0, bytes: 0, uploads: 0 };

async function post(body: Uint8Array | string, headers = {}) {
  const answer = await call('POST', `/_ml/anomaly_detectors/${JOB}/_data`,
    body, headers);
  if (answer.status === 202) {
    accepted.records += answer.body.processed_record_count;
    accepted.bytes += answer.body.input_bytes;
    accepted.uploads += 1;
  }
  return answer;
}

function expectBoundedMemory(): void {
  const growth = process.memoryUsage().rss - rssBefore;
  expect(growth).toBeLessThan(RSS_GROWTH_BOUND);
}

describe('hostile uploads', () => {
  // One record: {"time":1403481600,"responsetime":1} is 36 bytes.
  const GOOD = '{"time":1403481600,"responsetime":1}';

  test('a good upload is counted first', async () => {
    const { status, body } = await post(GOOD);

    expect(status).toBe(202);
    expect(body.processed_record_count).toBe(1);
    expect(body.input_bytes).toBe(36);
  });

  test('nesting 100,000 levels deep is refused with the depth limit',
    async () => {
      const { status, body } = await post(
        `{"time":1403481601,"a":${'['.repeat(100_000)}`);

      expect(status).toBe(400);
      expect(body.error.type).toBe('parse_exception');
      expect(body.error.reason).toBe('The input nests objects and arrays '
        + 'deeper than the limit of 1000 levels (ML_MAX_DEPTH).');
      expectBoundedMemory();
    });

  test('a 50 MB string is refused with the record limit', async () => {
    const { status, body } = await post(bigString);

    expect(status).toBe(400);
    expect(body.error.reason).toBe('A record is larger than the limit of '
      + '10485760 bytes (ML_MAX_RECORD_BYTES).');
    expectBoundedMemory();
  });

  test('a record with 100,000 fields is refused with the field limit',
    async () => {
      const fields = Array.from({ length: 100_000 }, (_, i) => `"f${i}":1`);
      const text = `{"time":1403481603,${fields.join(',')}}`;

      const { status, body } = await post(text);

      expect(status).toBe(400);
      expect(body.error.reason).toBe('A record has more than the limit of '
        + '10000 fields (ML_MAX_FIELDS).');
    });

  test('a gzip bomb stops at the body limit with 413', async () => {
    // 200 MiB of spaces, which JSON allows between records, compress
    // to about 200 KiB; zeros would fail as malformed JSON at once.
    expect(bomb.length).toBeLessThan(1 * MiB);

    const { status, body } = await post(bomb, { 'content-encoding': 'gzip' });

    expect(status).toBe(413);
    // 100 MiB is 104,857,600 bytes.
    expect(body.error.reason).toBe('The request body is larger than the '
      + 'limit of 104857600 bytes (100mb) after decompression. Send large '
      + `files with POST _ml/anomaly_detectors/${JOB}/_upload instead.`);
    expectBoundedMemory();
  });

  test.each([
    ['invalid UTF-8', Buffer.from([
      ...Buffer.from('{"time":1403481604,"x":"'), 0xff, 0xfe,
      ...Buffer.from('"}')])],
    ['a NUL byte', Buffer.from('{"time":1403481605,"x":"\u0000"}')],
    ['a lone closing brace', Buffer.from('}')],
  ])('%s gets an answer below 500', async (_label, bytes) => {
    const { status, body } = await post(bytes);

    expect(status).toBeLessThan(500);
    if (status >= 400) expect(typeof body.error.reason).toBe('string');
  });

  test('the server still answers and the totals are the accepted uploads',
    async () => {
      const stats = await call('GET', `/_ml/anomaly_detectors/${JOB}/_stats`);

      expect(stats.status).toBe(200);
      const counts = stats.body.jobs[0].data_counts;
      // At least the good upload: 1 record of 36 bytes.
      expect(accepted.records).toBeGreaterThanOrEqual(1);
      expect(counts.processed_record_count).toBe(accepted.records);
      expect(counts.input_bytes).toBe(accepted.bytes);
    });
});

async function gzipSpaces(mebibytes: number): Promise<Buffer> {
  const gzip = createGzip();
  const parts: Buffer[] = [];
  gzip.on('data', (part: Buffer) => parts.push(part));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  const spaces = Buffer.alloc(MiB, ' ');
  for (let i = 0; i < mebibytes; i++) {
    if (!gzip.write(spaces)) {
      await new Promise((resolve) => gzip.once('drain', resolve));
    }
  }
  gzip.end();
  await done;
  return Buffer.concat(parts);
}
