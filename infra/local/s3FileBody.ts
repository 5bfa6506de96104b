/**
 * The body of s3rver's GET object answers, sent from a few buffers used in
 * turn (its source text runs in the child, see s3Child.ts). s3rver hands
 * Koa a file stream, which reads into a new 64 KiB buffer each time. At
 * the speed the S3 path reads, that memory outside the JS heap set off a
 * full garbage collection every 40 ms (about 60 for a 1 GB object) and
 * took a third of the child's CPU, on a machine whose other core counts.
 * A buffer here is read into again only once the socket has taken it.
 */
import type * as Fs from 'node:fs';
import type { ServerResponse } from 'node:http';

/** The file stream s3rver made, opened on the bytes to send. */
export interface OpenedRange {
  /** Null once the stream is closed: Koa closes it when the socket fails. */
  fd: number | null;
  /** First and last byte to send, as s3rver computed them. */
  start: number;
  end: number;
  destroy(): void;
}

export function sendFileRange(
  fs: Pick<typeof Fs, 'read'>, file: OpenedRange, response: ServerResponse,
): void {
  const BUFFER_BYTES = 256 * 1024;
  const spare = [0, 1, 2, 3].map(() => Buffer.allocUnsafeSlow(BUFFER_BYTES));
  let position = file.start;
  let reading = false;
  let writing = 0;
  let ended = false;

  const finish = (error?: Error) => {
    if (ended) return;
    ended = true;
    file.destroy();
    if (error !== undefined) response.destroy(error);
    else if (!response.destroyed) response.end();
  };
  // A client gone part-way: no more reads, and the file is closed.
  response.once('close', () => finish());

  const pump = () => {
    if (ended || reading) return;
    // Koa's on-finished closes the file as soon as the socket fails,
    // which can come before the answer's 'close' (an aborted download).
    if (file.fd === null) {
      finish(new Error('the file was closed part-way'));
      return;
    }
    if (position > file.end) {
      if (writing === 0) finish();
      return;
    }
    const buffer = spare.pop();
    if (buffer === undefined) return;
    reading = true;
    const length = Math.min(BUFFER_BYTES, file.end - position + 1);
    fs.read(file.fd, buffer, 0, length, position, (error, bytes) => {
      reading = false;
      if (ended) return;
      if (error !== null) {
        finish(error);
        return;
      }
      // The end of the file: an empty object (s3rver asks for its byte
      // 0), or a file cut short, whose answer then ends short as well.
      if (bytes === 0) {
        position = file.end + 1;
        pump();
        return;
      }
      position += bytes;
      writing += 1;
      response.write(buffer.subarray(0, bytes), (writeError) => {
        writing -= 1;
        spare.push(buffer);
        if (writeError) finish(writeError);
        else pump();
      });
      pump();
    });
  };
  pump();
}
