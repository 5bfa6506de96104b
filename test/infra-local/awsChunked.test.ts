import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { describe, expect, test } from 'vitest';
import {
  awsChunkedDecoder, isAwsChunked,
} from '../../infra/local/awsChunked.js';

/** Feeds `pieces` one write each; resolves to the bytes or the error. */
function decode(
  pieces: Buffer[], decodedLength?: number,
): Promise<{ bytes?: string; error?: { code: string; message: string } }> {
  return new Promise((resolve) => {
    const decoder = awsChunkedDecoder(Transform, decodedLength);
    const out: Buffer[] = [];
    decoder.on('data', (chunk: Buffer) => out.push(chunk));
    decoder.on('end', () => resolve({ bytes: Buffer.concat(out).toString() }));
    decoder.on('error', (error: Error & { code: string }) =>
      resolve({ error: { code: error.code, message: error.message } }));
    for (const piece of pieces) decoder.write(piece);
    decoder.end();
  });
}

/** `body` cut in two at every position, then in pieces of 1 and 3. */
function cuts(body: string): Buffer[][] {
  const bytes = Buffer.from(body, 'latin1');
  const every = (size: number) => Array.from(
    { length: Math.ceil(bytes.length / size) },
    (_, i) => bytes.subarray(i * size, (i + 1) * size));
  const halves = Array.from({ length: bytes.length + 1 },
    (_, at) => [bytes.subarray(0, at), bytes.subarray(at)]);
  return [...halves, every(1), every(3)];
}

const signature = (text: string) =>
  createHash('sha256').update(text).digest('hex');

// The framing the AWS SDK sent for a stream of the two chunks `chunk1-`
// and `chunk2` (local-stand-ins.md, gotcha 1): unsigned, CRC32 trailer.
const UNSIGNED_TRAILER = '7\r\nchunk1-\r\n6\r\nchunk2\r\n0\r\n'
  + 'x-amz-checksum-crc32:nCcgQA==\r\n\r\n';
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD: each chunk header carries its
// signature, and the last one is followed by an empty line.
const SIGNED = `7;chunk-signature=${signature('a')}\r\nchunk1-\r\n`
  + `6;chunk-signature=${signature('b')}\r\nchunk2\r\n`
  + `0;chunk-signature=${signature('c')}\r\n\r\n`;
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: signed chunks, then the
// checksum and the trailer's own signature.
const SIGNED_TRAILER = `d;chunk-signature=${signature('a')}\r\n`
  + 'chunk1-chunk2\r\n'
  + `0;chunk-signature=${signature('b')}\r\n`
  + 'x-amz-checksum-crc32:nCcgQA==\r\n'
  + `x-amz-trailer-signature:${signature('c')}\r\n\r\n`;

describe('the aws-chunked decoder', () => {
  test.each([['unsigned chunks with a trailer', UNSIGNED_TRAILER],
    ['signed chunks', SIGNED], ['signed chunks with a trailer',
      SIGNED_TRAILER]])('gives the plain bytes of %s wherever cut',
    async (_, body) => {
      for (const pieces of cuts(body)) {
        // chunk1- and chunk2: 13 bytes.
        expect(await decode(pieces, 13)).toEqual({ bytes: 'chunk1-chunk2' });
      }
    });

  test('passes 64 KiB chunks through as the SDK frames them', async () => {
    const data = 'x'.repeat(65_536 + 100);
    const body = `10000\r\n${data.slice(0, 65_536)}\r\n`
      + `64\r\n${data.slice(65_536)}\r\n0\r\n\r\n`;

    expect(await decode([Buffer.from(body)], 65_636))
      .toEqual({ bytes: data });
  });

  test('takes an empty body', async () => {
    expect(await decode([Buffer.from('0\r\n\r\n')], 0)).toEqual({ bytes: '' });
  });

  test.each([
    ['a body cut short', '7\r\nchunk1', 'IncompleteBody',
      'it ends before its last chunk'],
    ['no last chunk', '7\r\nchunk1-\r\n', 'IncompleteBody',
      'it ends before its last chunk'],
    ['a size that is not hex', 'zz\r\nchunk1-\r\n0\r\n\r\n',
      'InvalidRequest', 'bad chunk size [zz]'],
    ['data longer than its size', '3\r\nchunk1-\r\n0\r\n\r\n',
      'InvalidRequest', 'a chunk does not end with CRLF'],
    ['a bare LF after a size', '7\nchunk1-\r\n0\r\n\r\n', 'InvalidRequest',
      'a framing line does not end with CRLF'],
    ['a trailer without a colon', '0\r\nnonsense\r\n\r\n', 'InvalidRequest',
      'bad trailer'],
    ['bytes after the end', '0\r\n\r\nmore', 'InvalidRequest',
      'bytes after the last chunk'],
    ['a line of 5,000 bytes', `${'0'.repeat(5000)}\r\n`, 'InvalidRequest',
      'a framing line is too long'],
  ])('refuses %s', async (_, body, code, reason) => {
    expect(await decode([Buffer.from(body)])).toEqual({ error: {
      code, message: `The aws-chunked request body is malformed: ${reason}`,
    } });
  });

  test('refuses a body that decodes to another length than declared',
    async () => {
      const shorter = await decode([Buffer.from(UNSIGNED_TRAILER)], 14);
      const longer = await decode([Buffer.from(UNSIGNED_TRAILER)], 12);

      expect(shorter.error?.message).toMatch(
        /it holds 13 bytes, not the 14 of x-amz-decoded-content-length$/);
      expect(longer.error?.message).toMatch(
        /more bytes than x-amz-decoded-content-length \(12\)$/);
    });
});

describe('a request in the aws-chunked framing', () => {
  test.each([
    [{ 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' }, true],
    [{ 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' }, true],
    [{ 'content-encoding': 'gzip, aws-chunked' }, true],
    [{ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, false],
    [{ 'content-encoding': 'gzip' }, false],
  ])('is told by its headers: %j', (headers, chunked) => {
    expect(isAwsChunked(headers)).toBe(chunked);
  });
});
