/**
 * Feeding an S3 object to a counting upload in ranged chunks. A plain
 * object resumes at the byte offset of its last commit; a gzip stream
 * cannot be entered in the middle, so a `.gz` object is inflated again
 * from its first byte and the inflated bytes already counted are skipped.
 *
 * Whatever ends a feed early (a planned stop, a bad record, a replaced
 * object, a failed read), a commit still in flight lands first, so the
 * turn that records the outcome writes after it and not beside it.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { CountingError } from '../counting/index.js';
import type { ObjectStore } from '../store/objects.js';
import type { CountingUpload } from './countingThread.js';

export interface ChunkFeed {
  objects: ObjectStore;
  key: string;
  etag: string;
  sizeBytes: number;
  chunkBytes: number;
  /** Offset in the (inflated) input where the upload resumes. */
  resumeOffset: number;
  upload: CountingUpload;
  /**
   * Called after each chunk except the last, with the object bytes read so
   * far; commits, and resolves false when the turn must stop there.
   */
  afterChunk(bytesRead: number): Promise<boolean>;
  /**
   * False once the turn has too little time left to go on. Asked for each
   * piece skipped on resuming a gzip object, so it must be cheap.
   */
  inTime(): boolean;
}

/**
 * Resolves true when the whole object went in, false when stopped. Each
 * range is counted piece by piece as it arrives, so counting overlaps the
 * transfer and no range is held whole in memory. Two waits are hidden
 * behind the counting as well: the next range is asked for as soon as the
 * current one answers, and a chunk's commit is in flight while the next
 * chunk is counted (the checkpoint it writes is taken at the chunk's end,
 * and it is awaited before the next commit or the end).
 */
export async function feedPlainObject(feed: ChunkFeed): Promise<boolean> {
  const { objects, key, etag, sizeBytes, chunkBytes, upload } = feed;
  const open = (start: number) => settledLater(objects.readRangePieces(key,
    etag, start, Math.min(start + chunkBytes, sizeBytes)));

  let position = feed.resumeOffset;
  let next = position < sizeBytes ? open(position) : undefined;
  let committed: Promise<boolean> = Promise.resolve(true);
  try {
    while (next !== undefined) {
      const pieces = await next;
      const end = Math.min(position + chunkBytes, sizeBytes);
      next = end < sizeBytes ? open(end) : undefined;
      for await (const piece of pieces) await upload.write(piece);
      position = end;

      if (!await committed) return false;
      if (position < sizeBytes) {
        committed = settledLater(feed.afterChunk(position));
      }
    }
    return await committed;
  } catch (error) {
    await committed.catch(() => undefined);
    throw error;
  } finally {
    // A range asked for ahead and not read: close it.
    next?.then((pieces) => pieces.discard(), () => undefined);
  }
}

/**
 * The same promise, marked as handled: it is awaited only later, and a
 * failure meanwhile must not count as an unhandled rejection.
 */
function settledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Thrown through the stream pipeline to end a turn early. */
const STOP = Symbol('stop at the last commit');

export async function feedGzipObject(feed: ChunkFeed): Promise<boolean> {
  const { objects, key, etag, sizeBytes, chunkBytes, upload } = feed;
  let compressedRead = 0;
  // pipeline() rejects with its own AbortError when a stage throws, so the
  // first error a stage threw is kept here and reported instead.
  let cause: unknown;
  let committed: Promise<boolean> = Promise.resolve(true);

  async function* compressed(): AsyncGenerator<Uint8Array> {
    try {
      while (compressedRead < sizeBytes) {
        const end = Math.min(compressedRead + chunkBytes, sizeBytes);
        const bytes = await objects.readRange(key, etag, compressedRead, end);
        compressedRead = end;
        yield bytes;
      }
    } catch (error) {
      cause ??= error;
      throw error;
    }
  }

  async function count(inflated: AsyncIterable<Buffer>): Promise<void> {
    let inflatedSeen = 0;
    let sinceCommit = 0;
    try {
      for await (const piece of inflated) {
        const skip = Math.max(0, feed.resumeOffset - inflatedSeen);
        inflatedSeen += piece.length;
        if (skip >= piece.length) {
          if (!feed.inTime()) throw tooLongToResume(feed.resumeOffset);
          continue;
        }
        const fresh = skip === 0 ? piece : piece.subarray(skip);
        await upload.write(fresh);
        sinceCommit += fresh.length;
        if (sinceCommit < chunkBytes) continue;
        sinceCommit = 0;
        committed = settledLater(feed.afterChunk(compressedRead));
        if (!await committed) throw STOP;
      }
    } catch (error) {
      cause ??= error;
      throw error;
    }
  }

  try {
    // One range read ahead while the one before is inflated; the default
    // of 16 objects would hold up to 128 MiB of ranges.
    await pipeline(Readable.from(compressed(), { highWaterMark: 1 }),
      createGunzip(), count);
    return true;
  } catch (error) {
    await committed.catch(() => undefined);
    const reason = cause ?? error;
    if (reason === STOP) return false;
    throw notGzip(reason) ?? reason;
  }
}

/**
 * A turn spent re-inflating what earlier turns counted: the object can
 * never be finished, since each turn starts again from its first byte.
 * Inflating runs at about 350 MB/s on one core, so a 5-minute turn gets
 * past roughly 100 GB.
 */
function tooLongToResume(resumeOffset: number): CountingError {
  return new CountingError('status_exception',
    'The gzip object is too large to resume: inflating it again up to '
      + `byte ${resumeOffset}, where the last turn stopped, took the whole `
      + 'turn. Send it uncompressed, or in smaller files.');
}

/** zlib's refusals (codes Z_DATA_ERROR, Z_BUF_ERROR, ...) as a bad object. */
function notGzip(error: unknown): CountingError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('Z_')) return undefined;
  return new CountingError('parse_exception',
    `The object is not valid gzip data: ${(error as Error).message}`);
}
