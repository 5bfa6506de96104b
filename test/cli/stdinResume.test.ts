import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestStack, type TestStack } from '../support/localStack.js';
import { cli } from './cliHarness.js';

// A CSV post read from stdin, resumed at an offset: the header is the
// first line of the same stream, read again from the start.
let stack: TestStack;

// 11 + 3 × 13 = 50 bytes; the second row starts at byte 24.
const CSV = 'time,value\n'
  + '1449446400,1\n'
  + '1449446460,2\n'
  + '1449446520,3\n';

async function newCsvJob(jobId: string): Promise<void> {
  const created = await cli(['--url', stack.url, 'jobs', 'create', jobId,
    '--format', 'delimited', '--delimiter', ',', '--detector', 'mean(value)',
    '--time-field', 'time', '--time-format', 'epoch']);
  expect(created).toMatchObject({ code: 0, stderr: '' });
  expect((await cli(['--url', stack.url, 'jobs', 'open', jobId])).code)
    .toBe(0);
}

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.close();
});

// The upload is the header and the last two rows: 11 + 26 = 37 bytes;
// one input field per row (header width 2 less the time field), A = 1.
const RESUMED = {
  processed_record_count: 2, processed_field_count: 2, input_bytes: 37,
  input_field_count: 2, input_record_count: 2,
  earliest_record_timestamp: 1_449_446_460_000,
  latest_record_timestamp: 1_449_446_520_000,
};

test('resumes CSV from stdin with the header read from the stream',
  async () => {
    await newCsvJob('stdin-csv');

    const result = await cli(['--url', stack.url, '--json', 'post',
      'stdin-csv', '-', '--from-byte', '24'], {}, CSV);

    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject(RESUMED);
  });

test('resumes gzip CSV from stdin at an offset of the inflated bytes',
  async () => {
    await newCsvJob('stdin-csv-gz');

    const result = await cli(['--url', stack.url, '--json', 'post',
      'stdin-csv-gz', '-', '--from-byte', '24'], {}, gzipSync(CSV));

    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject(RESUMED);
  });
