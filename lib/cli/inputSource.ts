import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { CliError } from './cliErrors.js';

/**
 * The bytes of the file to post, decompressed when it is gzip (known by
 * its first two bytes, so `.gz` files and gzip on stdin both work), from
 * a resume offset on. Offsets count decompressed bytes.
 */
export interface InputSource {
  chunks: AsyncIterable<Uint8Array>;
  /** Size on disk, for the progress bar; undefined for stdin. */
  totalBytes: number | undefined;
  /** Bytes read from disk or stdin so far (compressed ones for gzip). */
  bytesRead(): number;
  /**
   * The first line among the bytes skipped to reach `fromByte`, newline
   * included, once they are skipped: the header of a CSV file resumed
   * from stdin, which cannot be read a second time.
   */
  skippedFirstLine(): Buffer | undefined;
}

export interface InputOptions {
  fromByte: number;
  /** Bytes that may end a record, checked at `fromByte - 1`. */
  boundaryBytes: readonly number[];
}

const GZIP_MAGIC = [0x1f, 0x8b];

export async function openInput(
  path: string, stdin: NodeJS.ReadableStream, options: InputOptions,
): Promise<InputSource> {
  if (path === '-') return fromStream(stdin, undefined, options);

  const size = await fileSize(path);
  return fromStream(createReadStream(path), size, options);
}

/** The first line (the CSV header), newline included. */
export async function readFirstLine(
  path: string, stdin: NodeJS.ReadableStream,
): Promise<Buffer | undefined> {
  if (path === '-') return undefined;
  const input = await openInput(path, stdin,
    { fromByte: 0, boundaryBytes: [] });
  const seen: Buffer[] = [];
  for await (const chunk of input.chunks) {
    const newline = chunk.indexOf(0x0a);
    if (newline >= 0) {
      seen.push(Buffer.from(chunk.subarray(0, newline + 1)));
      return Buffer.concat(seen);
    }
    seen.push(Buffer.from(chunk));
  }
  return undefined;
}

async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new CliError(`not a file: ${path}`);
    return info.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw new CliError(`no such file: ${path}`);
    throw new CliError(`cannot read ${path}: ${code ?? error}`);
  }
}

function fromStream(
  raw: NodeJS.ReadableStream, totalBytes: number | undefined,
  options: InputOptions,
): InputSource {
  let read = 0;
  raw.on('data', (chunk: Buffer) => { read += chunk.length; });
  raw.on('error', () => { /* reported by the iteration below */ });
  const firstLine = new FirstLine();
  return {
    chunks: skipTo(decompressed(raw), options, firstLine),
    totalBytes,
    bytesRead: () => read,
    skippedFirstLine: () => firstLine.line,
  };
}

async function* decompressed(
  raw: NodeJS.ReadableStream,
): AsyncIterable<Uint8Array> {
  const iterator = (raw as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await nextChunk(iterator);
  if (first === undefined) return;

  const gzip = first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1];
  if (!gzip) {
    yield first;
    for (let c = await nextChunk(iterator); c; c = await nextChunk(iterator)) {
      yield c;
    }
    return;
  }

  const gunzip = createGunzip();
  const feed = (async () => {
    gunzip.write(first);
    for (let c = await nextChunk(iterator); c; c = await nextChunk(iterator)) {
      if (!gunzip.write(c)) {
        await new Promise((resolve) => gunzip.once('drain', resolve));
      }
    }
    gunzip.end();
  })();
  feed.catch((error: unknown) => gunzip.destroy(error as Error));
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    throw new CliError(`cannot decompress the input: `
      + `${(error as Error).message}`);
  }
}

async function nextChunk(
  iterator: AsyncIterator<Buffer>,
): Promise<Buffer | undefined> {
  try {
    const { value, done } = await iterator.next();
    return done ? undefined : value;
  } catch (error) {
    throw new CliError(`cannot read the input: ${(error as Error).message}`);
  }
}

/**
 * Drops the bytes before `fromByte` and checks that the last one dropped
 * ends a record, so a resume never starts inside one.
 */
async function* skipTo(
  chunks: AsyncIterable<Uint8Array>, options: InputOptions,
  firstLine: FirstLine,
): AsyncIterable<Uint8Array> {
  // Reading from the start costs a pass over the skipped bytes, but it is
  // the only way into a gzip stream and keeps one path for all inputs.
  let toSkip = options.fromByte;
  for await (const chunk of chunks) {
    if (toSkip === 0) {
      yield chunk;
      continue;
    }
    if (toSkip >= chunk.length) {
      firstLine.see(chunk);
      toSkip -= chunk.length;
      if (toSkip === 0) checkBoundary(chunk.at(-1), options);
      continue;
    }
    firstLine.see(chunk.subarray(0, toSkip));
    checkBoundary(chunk[toSkip - 1], options);
    yield chunk.subarray(toSkip);
    toSkip = 0;
  }
  if (toSkip > 0) {
    throw new CliError(`--from-byte ${options.fromByte} is past the end `
      + 'of the input');
  }
}

function checkBoundary(
  byte: number | undefined, options: InputOptions,
): void {
  if (byte !== undefined && options.boundaryBytes.includes(byte)) return;
  throw new CliError(`--from-byte ${options.fromByte} is not a record `
    + 'boundary; use the offset printed by the failed run');
}

/** Gathers skipped bytes until the first newline, then keeps that line. */
class FirstLine {
  line: Buffer | undefined;
  private seen: Buffer[] = [];

  see(bytes: Uint8Array): void {
    if (this.line !== undefined) return;
    const newline = bytes.indexOf(0x0a);
    if (newline < 0) {
      this.seen.push(Buffer.from(bytes));
      return;
    }
    this.seen.push(Buffer.from(bytes.subarray(0, newline + 1)));
    this.line = Buffer.concat(this.seen);
    this.seen = [];
  }
}
