/**
 * Feeding an S3 object to a counting upload in ranged chunks. A plain
 * object resumes at the byte offset of its last commit; a gzip stream
 * cannot be entered in the middle, so a `.gz` object is inflated again
 * from its first byte and the inflated bytes already counted are skipped.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { CountingError } from '../counting/index.js';
import type { Upload } from '../counting/types.js';
import type { ObjectStore } from '../store/objects.js';

export interface ChunkFeed {
  objects: ObjectStore;
  key: string;
  etag: string;
  sizeBytes: number;
  chunkBytes: number;
  /** Offset in the (inflated) input where the upload resumes. */
  resumeOffset: number;
  upload: Upload;
  /**
   * Called after each chunk except the last, with the object bytes read so
   * far; commits, and resolves false when the turn must stop there.
   */
  afterChunk(bytesRead: number): Promise<boolean>;
}

/**
 * Resolves true when the whole object went in, false when stopped. Each
 * range is counted piece by piece as it arrives, so counting overlaps the
 * transfer and no range is held whole in memory.
 */
export async function feedPlainObject(feed: ChunkFeed): Promise<boolean> {
  const { objects, key, etag, sizeBytes, chunkBytes, upload } = feed;
  let position = feed.resumeOffset;
  while (position < sizeBytes) {
    const end = Math.min(position + chunkBytes, sizeBytes);
    const pieces = await objects.readRangePieces(key, etag, position, end);
    for await (const piece of pieces) upload.write(piece);
    position = end;
    if (position < sizeBytes && !await feed.afterChunk(position)) {
      return false;
    }
  }
  return true;
}

/** Thrown through the stream pipeline to end a turn early. */
const STOP = Symbol('stop at the last commit');

export async function feedGzipObject(feed: ChunkFeed): Promise<boolean> {
  const { objects, key, etag, sizeBytes, chunkBytes, upload } = feed;
  let compressedRead = 0;

  async function* compressed(): AsyncGenerator<Uint8Array> {
    while (compressedRead < sizeBytes) {
      const end = Math.min(compressedRead + chunkBytes, sizeBytes);
      const bytes = await objects.readRange(key, etag, compressedRead, end);
      compressedRead = end;
      yield bytes;
    }
  }

  async function count(inflated: AsyncIterable<Buffer>): Promise<void> {
    let inflatedSeen = 0;
    let sinceCommit = 0;
    for await (const piece of inflated) {
      const skip = Math.max(0, feed.resumeOffset - inflatedSeen);
      inflatedSeen += piece.length;
      if (skip >= piece.length) continue;
      const fresh = skip === 0 ? piece : piece.subarray(skip);
      upload.write(fresh);
      sinceCommit += fresh.length;
      if (sinceCommit < chunkBytes) continue;
      sinceCommit = 0;
      if (!await feed.afterChunk(compressedRead)) throw STOP;
    }
  }

  try {
    await pipeline(Readable.from(compressed()), createGunzip(), count);
    return true;
  } catch (error) {
    if (error === STOP) return false;
    throw notGzip(error) ?? error;
  }
}

/** zlib's refusals (codes Z_DATA_ERROR, Z_BUF_ERROR, ...) as a bad object. */
function notGzip(error: unknown): CountingError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('Z_')) return undefined;
  return new CountingError('parse_exception',
    `The object is not valid gzip data: ${(error as Error).message}`);
}
