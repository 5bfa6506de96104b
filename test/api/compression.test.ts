import { readFileSync } from 'node:fs';
import {
  deflateRawSync, deflateSync, gzipSync,
} from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { bodyTooLarge } from '../../lib/api/apiErrors.js';
import { inflateChunks } from '../../lib/api/bodyDecoder.js';
import { createApi } from '../../lib/api/createApi.js';
import { MlError } from '../../lib/errors.js';
import { createJobServiceDouble } from '../support/jobServiceDouble.js';
import { httpRequest, parseBody } from './requests.js';

const DATA = '/_ml/anomaly_detectors/farequote/_data';
/** 514 NDJSON records, 121,450 bytes (data/README.md). */
const BIG_ASCENDING = readFileSync(new URL(
  '../../../shared/data/big_ascending.txt', import.meta.url));
const MiB = 1024 * 1024;

function setUp(maxBodyBytes = 10 * MiB) {
  const double = createJobServiceDouble();
  const api = createApi({ jobs: double.jobs, config: { maxBodyBytes } });
  const post = (body: Uint8Array, encoding?: string) => {
    const headers: Record<string, string> = {
      'content-type': 'application/x-ndjson',
    };
    if (encoding !== undefined) headers['content-encoding'] = encoding;
    return api(httpRequest('POST', DATA, { headers, body }));
  };
  return { ...double, post };
}

describe('post data bodies', () => {
  test('reach the service in chunks of at most 64 KiB', async () => {
    const { post, calls } = setUp();

    await post(BIG_ASCENDING);

    // 121,450 bytes = 65,536 + 55,914.
    expect(calls[0].chunks?.map((c) => c.length)).toEqual([65_536, 55_914]);
  });

  const encodings: Array<[string, (b: Buffer) => Buffer]> = [
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['deflate', deflateRawSync],
  ];
  for (const [encoding, compress] of encodings) {
    test(`are inflated from ${encoding} (${compress.name})`, async () => {
      const { post, calls, receivedBytes } = setUp();

      const response = await post(compress(BIG_ASCENDING), encoding);

      expect(response.status).toBe(202);
      expect(receivedBytes().equals(BIG_ASCENDING)).toBe(true);
      for (const chunk of calls[0].chunks ?? []) {
        expect(chunk.length).toBeLessThanOrEqual(64 * 1024);
      }
    });
  }

  test('refuse a corrupt gzip stream with a parse error', async () => {
    const { post } = setUp();

    const response = await post(Buffer.from('{"not":"gzip"}'), 'gzip');

    expect(response.status).toBe(400);
    expect(parseBody(response).error.type).toBe('parse_exception');
    expect(parseBody(response).error.reason).toMatch(
      /^The request body could not be decompressed as gzip: /);
  });

  test('refuse a truncated gzip stream', async () => {
    const { post } = setUp();
    const whole = gzipSync(BIG_ASCENDING);

    const response = await post(whole.subarray(0, whole.length - 100), 'gzip');

    expect(response.status).toBe(400);
    expect(parseBody(response).error.type).toBe('parse_exception');
  });

  test('refuse an encoding other than gzip or deflate', async () => {
    const { post, calls } = setUp();

    const response = await post(BIG_ASCENDING, 'br');

    expect(response.status).toBe(400);
    expect(parseBody(response).error.reason).toBe('Content-Encoding [br] is '
      + 'not supported; send the body uncompressed, gzip or deflate');
    expect(calls).toHaveLength(0);
  });
});

describe('the body size limit', () => {
  test('answers 413 naming the limit and the upload route', async () => {
    const { post, calls } = setUp(100_000);

    const response = await post(BIG_ASCENDING);

    expect(response.status).toBe(413);
    expect(parseBody(response)).toEqual({
      error: {
        root_cause: [expect.objectContaining({ type: 'status_exception' })],
        type: 'status_exception',
        reason: 'The request body is larger than the limit of 100000 bytes '
          + '(100000b) after decompression. Send large files with POST '
          + '_ml/anomaly_detectors/farequote/_upload instead.',
      },
      status: 413,
    });
    expect(calls).toHaveLength(0);
  });

  test('accepts a body of exactly the limit', async () => {
    const { post } = setUp(BIG_ASCENDING.length);

    const response = await post(BIG_ASCENDING);

    expect(response.status).toBe(202);
  });

  test('applies to the inflated size, stopping at the limit', async () => {
    const { post, receivedBytes } = setUp(100_000);

    const response = await post(gzipSync(BIG_ASCENDING), 'gzip');

    expect(response.status).toBe(413);
    expect(receivedBytes().length).toBeLessThanOrEqual(100_000);
  });

  test('names the limit in MiB when it is a whole number of them',
    async () => {
      const { post } = setUp(MiB);
      const bomb = gzipSync(Buffer.alloc(8 * MiB));

      const response = await post(bomb, 'gzip');

      expect(response.status).toBe(413);
      expect(parseBody(response).error.reason).toMatch(
        /limit of 1048576 bytes \(1mb\)/);
    });

  test('never inflates a gzip bomb whole', async () => {
    // One gzip member of 16 MiB of zeros, repeated 256 times: 4 GiB once
    // inflated. Gunzip reads concatenated members as one stream.
    const member = gzipSync(Buffer.alloc(16 * MiB));
    let pulled = 0;
    function* bomb() {
      for (let i = 0; i < 256; i++) {
        pulled += 1;
        yield member;
      }
    }

    let received = 0;
    const reading = (async () => {
      const limits = { maxBodyBytes: MiB,
        tooLarge: () => bodyTooLarge(MiB, 'farequote') };
      for await (const chunk of inflateChunks(bomb(), 'gzip', limits)) {
        received += chunk.length;
      }
    })();

    await expect(reading).rejects.toMatchObject({ status: 413 });
    await expect(reading).rejects.toBeInstanceOf(MlError);
    expect(received).toBeLessThanOrEqual(MiB);
    // The first member alone inflates past the limit.
    expect(pulled).toBeLessThanOrEqual(2);
  });
});
