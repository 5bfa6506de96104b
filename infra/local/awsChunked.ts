/**
 * The `aws-chunked` content encoding, decoded as it streams. Since
 * `@aws-sdk/client-s3` 3.729 a PutObject or UploadPart with a stream body
 * is sent in this framing with a trailing checksum, and s3rver 3.7.1 would
 * store the framing as the object's bytes:
 *
 *     10000;chunk-signature=<64 hex>\r\n<65536 bytes>\r\n   (signed)
 *     10000\r\n<65536 bytes>\r\n                            (unsigned)
 *     0\r\nx-amz-checksum-crc32:GVrAZg==\r\n\r\n            (trailers, end)
 *
 * Chunk signatures and trailing checksums are read and not verified, as
 * s3rver verifies no V4 signature either.
 */
import type { Transform } from 'node:stream';

type TransformClass = typeof Transform;

/** An error of the framing, with the S3 error code to answer with. */
export type AwsChunkedError = Error & {
  code: 'IncompleteBody' | 'InvalidRequest';
};

/** Whether a request's body is in the aws-chunked framing. */
export function isAwsChunked(
  headers: Record<string, string | string[] | undefined>,
): boolean {
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  const encoding = String(headers['content-encoding'] ?? '').toLowerCase();
  return sha.startsWith('STREAMING-')
    || encoding.split(',').some((part) => part.trim() === 'aws-chunked');
}

/**
 * A transform from the framed body to the plain bytes. With
 * `decodedLength` (`x-amz-decoded-content-length`), a body that decodes
 * to another length fails.
 *
 * It refers to nothing outside itself but its arguments and `Buffer`:
 * s3Server.ts runs its source text in s3rver's child process, which
 * loads no TypeScript.
 */
export function awsChunkedDecoder(
  TransformStream: TransformClass, decodedLength: number | undefined,
): Transform {
  // A chunk line with its signature is 85 bytes; trailers are a few lines.
  const MAX_LINE_BYTES = 4096;
  const MAX_TRAILER_BYTES = 16_384;
  const CR = 0x0d;
  const LF = 0x0a;
  let state: 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'size';
  let line = '';
  let remaining = 0;
  let endBytesSeen = 0;
  let trailerBytes = 0;
  let decoded = 0;

  const fault = (
    code: AwsChunkedError['code'], reason: string,
  ): AwsChunkedError => Object.assign(
    new Error(`The aws-chunked request body is malformed: ${reason}`),
    { code });

  const sizeLine = (text: string): AwsChunkedError | undefined => {
    const semicolon = text.indexOf(';');
    const hex = semicolon < 0 ? text : text.slice(0, semicolon);
    if (!/^[0-9a-fA-F]{1,13}$/.test(hex)) {
      return fault('InvalidRequest', `bad chunk size [${hex.slice(0, 40)}]`);
    }
    const size = parseInt(hex, 16);
    if (decodedLength !== undefined && decoded + size > decodedLength) {
      return fault('IncompleteBody', 'more bytes than '
        + `x-amz-decoded-content-length (${decodedLength})`);
    }
    remaining = size;
    state = size === 0 ? 'trailer' : 'data';
    return undefined;
  };

  const trailerLine = (text: string): AwsChunkedError | undefined => {
    if (text === '') {
      state = 'done';
      return undefined;
    }
    trailerBytes += text.length;
    if (text.indexOf(':') <= 0 || trailerBytes > MAX_TRAILER_BYTES) {
      return fault('InvalidRequest', 'bad trailer');
    }
    return undefined;
  };

  /**
   * Adds the bytes from `at` up to the next LF to the line; `text` is the
   * line without its CRLF once the LF has come.
   */
  const readLine = (
    chunk: Buffer, at: number,
  ): { next: number; text?: string } | AwsChunkedError => {
    const lf = chunk.indexOf(LF, at);
    line += chunk.toString('latin1', at, lf < 0 ? chunk.length : lf);
    if (line.length > MAX_LINE_BYTES) {
      return fault('InvalidRequest', 'a framing line is too long');
    }
    if (lf < 0) return { next: chunk.length };
    if (!line.endsWith('\r')) {
      return fault('InvalidRequest', 'a framing line does not end with CRLF');
    }
    const text = line.slice(0, -1);
    line = '';
    return { next: lf + 1, text };
  };

  return new TransformStream({
    transform(chunk: Buffer, _encoding, done) {
      let at = 0;
      while (at < chunk.length) {
        if (state === 'data') {
          const end = Math.min(chunk.length, at + remaining);
          this.push(chunk.subarray(at, end));
          remaining -= end - at;
          decoded += end - at;
          at = end;
          if (remaining === 0) state = 'data-end';
          continue;
        }
        if (state === 'data-end') {
          if (chunk[at] !== (endBytesSeen === 0 ? CR : LF)) {
            done(fault('InvalidRequest', 'a chunk does not end with CRLF'));
            return;
          }
          at += 1;
          endBytesSeen = (endBytesSeen + 1) % 2;
          if (endBytesSeen === 0) state = 'size';
          continue;
        }
        if (state === 'done') {
          done(fault('InvalidRequest', 'bytes after the last chunk'));
          return;
        }
        const read = readLine(chunk, at);
        if (read instanceof Error) {
          done(read);
          return;
        }
        at = read.next;
        if (read.text === undefined) continue;
        const problem = state === 'size' ? sizeLine(read.text)
          : trailerLine(read.text);
        if (problem !== undefined) {
          done(problem);
          return;
        }
      }
      done();
    },

    flush(done) {
      if (state !== 'done') {
        done(fault('IncompleteBody', 'it ends before its last chunk'));
        return;
      }
      if (decodedLength !== undefined && decoded !== decodedLength) {
        done(fault('IncompleteBody', `it holds ${decoded} bytes, not the `
          + `${decodedLength} of x-amz-decoded-content-length`));
        return;
      }
      done();
    },
  });
}
