import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { createApi } from '../../lib/api/createApi.js';
import { createJobServiceDouble } from '../support/jobServiceDouble.js';
import { httpRequest, JSON_HEADERS, parseBody } from './requests.js';

const MiB = 1024 * 1024;
const PUT_JOB = '/_ml/anomaly_detectors/farequote';

function setUp(maxBodyBytes = 100 * MiB) {
  const double = createJobServiceDouble();
  const api = createApi({ jobs: double.jobs, config: { maxBodyBytes } });
  return { ...double, api };
}

/** `{"description":"x…x"}` of exactly `bytes` bytes: 18 of them framing. */
const jobBodyOf = (bytes: number): string =>
  `{"description":"${'x'.repeat(bytes - 18)}"}`;

const tooLarge = (limit: number, size: string) => ({
  error: {
    root_cause: [expect.objectContaining({ type: 'status_exception' })],
    type: 'status_exception',
    reason: `The request body is larger than the limit of ${limit} bytes `
      + `(${size}) after decompression; only post data `
      + '(POST _ml/anomaly_detectors/{job_id}/_data) takes larger bodies.',
  },
  status: 413,
});

describe('a JSON body off the post data route', () => {
  test('of exactly 1 MiB reaches the job service', async () => {
    const { api, calls } = setUp();

    const response = await api(httpRequest('PUT', PUT_JOB,
      { headers: JSON_HEADERS, body: jobBodyOf(MiB) }));

    expect(response.status).toBe(200);
    expect(calls).toHaveLength(1);
  });

  test('one byte over 1 MiB gets 413 before it is parsed', async () => {
    const { api, calls } = setUp();

    const response = await api(httpRequest('PUT', PUT_JOB,
      { headers: JSON_HEADERS, body: jobBodyOf(MiB + 1) }));

    expect(response.status).toBe(413);
    expect(parseBody(response)).toEqual(tooLarge(MiB, '1mb'));
    expect(calls).toHaveLength(0);
  });

  test('is measured after inflating', async () => {
    const { api, calls } = setUp();
    // 2 MiB of JSON, a few KiB once gzipped.
    const body = gzipSync(jobBodyOf(2 * MiB));

    const response = await api(httpRequest('PUT', PUT_JOB, {
      headers: { ...JSON_HEADERS, 'content-encoding': 'gzip' }, body,
    }));

    expect(response.status).toBe(413);
    expect(parseBody(response)).toEqual(tooLarge(MiB, '1mb'));
    expect(calls).toHaveLength(0);
  });

  test('is bounded by a smaller overall body limit', async () => {
    const { api } = setUp(100_000);

    const response = await api(httpRequest('POST',
      '/_ml/anomaly_detectors/farequote/_close',
      { headers: JSON_HEADERS, body: jobBodyOf(100_001) }));

    expect(parseBody(response)).toEqual(tooLarge(100_000, '100000b'));
  });
});

describe('a post data body', () => {
  test('may be larger than 1 MiB', async () => {
    const { api, receivedBytes } = setUp();
    // 2 MiB of one-field records: `{"t":1}\n` is 8 bytes.
    const body = '{"t":1}\n'.repeat(MiB / 4);

    const response = await api(httpRequest('POST',
      '/_ml/anomaly_detectors/farequote/_data', {
        headers: { 'content-type': 'application/x-ndjson' }, body,
      }));

    expect(response.status).toBe(202);
    expect(receivedBytes().length).toBe(2 * MiB);
  });
});
