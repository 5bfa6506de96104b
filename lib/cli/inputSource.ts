import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { CliError } from './cliErrors.js';

/**
 * The bytes of the file to post, decompressed when it is gzip (known by
 * its first two bytes, so `.gz` files and gzip on stdin both work).
 * Offsets everywhere count decompressed bytes.
 */
export interface InputSource {
  chunks: AsyncIterable<Uint8Array>;
  /** Size on disk, for the progress bar; undefined for stdin. */
  totalBytes: number | undefined;
  /** Bytes read from disk or stdin so far (compressed ones for gzip). */
  bytesRead(): number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

export async function openInput(
  path: string, stdin: NodeJS.ReadableStream,
): Promise<InputSource> {
  if (path === '-') return fromStream(stdin, undefined);

  const size = await fileSize(path);
  return fromStream(createReadStream(path), size);
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
): InputSource {
  let read = 0;
  raw.on('data', (chunk: Buffer) => { read += chunk.length; });
  raw.on('error', () => { /* reported by the iteration below */ });
  return {
    chunks: decompressed(raw),
    totalBytes,
    bytesRead: () => read,
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
