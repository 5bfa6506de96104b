import { once } from 'node:events';
import {
  createGunzip, createInflate, createInflateRaw, type Gunzip, type Inflate,
  type InflateRaw,
} from 'node:zlib';
import { MlError } from '../errors.js';
import { badCompressedBody, encodingUnsupported } from './apiErrors.js';

/** The largest chunk handed to a body's consumer. */
export const BODY_CHUNK_BYTES = 64 * 1024;

/**
 * `zlib` is RFC 1950 deflate, what HTTP's `deflate` names; `raw` is bare
 * RFC 1951 deflate, which some clients send under the same name.
 */
export type Compression = 'gzip' | 'zlib' | 'raw';

export interface BodyLimits {
  maxBodyBytes: number;
  /** The 413 for a body over the limit; its reason depends on the route. */
  tooLarge(): MlError;
}

/**
 * Reads the `Content-Encoding` header. Throws 400 for an encoding other
 * than gzip or deflate, before anything is read. (Elasticsearch's HTTP
 * layer passes such a body on as it is, to fail later as malformed data.)
 */
export function compressionOf(
  header: string | undefined, body: Uint8Array,
): Compression | undefined {
  const encoding = (header ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') return 'gzip';
  if (encoding === 'deflate') return hasZlibHeader(body) ? 'zlib' : 'raw';
  throw encodingUnsupported(encoding);
}

/**
 * The body as the job service reads it: decompressed while it is read,
 * in chunks of at most 64 KiB, never more than `maxBodyBytes` in total.
 * A body over the limit throws 413 when the limit is passed, so a small
 * gzip bomb is never inflated whole; a corrupt stream throws 400.
 */
export function decodeBody(
  body: Uint8Array, compression: Compression | undefined, limits: BodyLimits,
): AsyncIterable<Uint8Array> {
  if (body.length > limits.maxBodyBytes) throw limits.tooLarge();
  if (compression === undefined || body.length === 0) {
    return toAsync(slices(body));
  }
  return inflateChunks(slices(body), compression, limits);
}

/** Inflates compressed chunks as the consumer pulls on the result. */
export async function* inflateChunks(
  source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  compression: Compression,
  limits: BodyLimits,
): AsyncGenerator<Uint8Array> {
  const inflater = createInflater(compression);
  const stopFeeding = new AbortController();
  feed(source, inflater, stopFeeding.signal)
    .catch((error: unknown) => {
      if (!stopFeeding.signal.aborted) inflater.destroy(error as Error);
    });

  let inflatedBytes = 0;
  try {
    for await (const piece of inflater as AsyncIterable<Buffer>) {
      inflatedBytes += piece.length;
      if (inflatedBytes > limits.maxBodyBytes) throw limits.tooLarge();
      yield* slices(piece);
    }
  } catch (error) {
    if (error instanceof MlError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw badCompressedBody(compression === 'gzip' ? 'gzip' : 'deflate',
      detail);
  } finally {
    stopFeeding.abort();
    inflater.destroy();
  }
}

type Inflater = Gunzip | Inflate | InflateRaw;

function createInflater(compression: Compression): Inflater {
  const options = { chunkSize: BODY_CHUNK_BYTES };
  if (compression === 'gzip') return createGunzip(options);
  if (compression === 'zlib') return createInflate(options);
  return createInflateRaw(options);
}

/**
 * Writes compressed input only as fast as the inflater drains, so input
 * is pulled in step with the consumer.
 */
async function feed(
  source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  inflater: Inflater,
  signal: AbortSignal,
): Promise<void> {
  for await (const chunk of source) {
    if (signal.aborted || inflater.destroyed) return;
    if (!inflater.write(chunk)) await once(inflater, 'drain', { signal });
  }
  if (!signal.aborted) inflater.end();
}

/** Views into `bytes` of at most BODY_CHUNK_BYTES each, no copies. */
function* slices(bytes: Uint8Array): Generator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += BODY_CHUNK_BYTES) {
    yield bytes.subarray(start, start + BODY_CHUNK_BYTES);
  }
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

/** RFC 1950: method 8 in the low nibble and a header divisible by 31. */
function hasZlibHeader(body: Uint8Array): boolean {
  if (body.length < 2) return false;
  return (body[0] & 0x0f) === 8 && ((body[0] << 8) | body[1]) % 31 === 0;
}
