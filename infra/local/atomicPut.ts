/**
 * s3rver 3.7.1 writes a PUT's body straight over the object's file and
 * its MD5 and metadata files only once the body is whole, so a PUT cut
 * off mid-body (a client gone, an aws-chunked body that fails to decode)
 * left the old object truncated or emptied under its old ETag, and a new
 * key's truncated file was listed as an object (with the MD5 of what
 * came) and delivered for ingestion at the next start. This writes the
 * body and both small files beside the object under names s3rver does
 * not list, then puts them in place, so that a reader sees the old
 * object or the new one, never a mix.
 *
 * It refers to nothing outside itself but its arguments and `Buffer`:
 * s3Child.ts runs its source text in s3rver's child process.
 */
import type * as Fs from 'node:fs';
import type { Readable, Transform } from 'node:stream';

/** What the replacement needs of s3rver's filesystem store. */
export interface ObjectStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
}

/** s3rver's S3Object, as its controllers hand it to the store. */
export interface StoredBody {
  bucket: string;
  key: string;
  content: Readable | Buffer;
  metadata: Record<string, unknown>;
}

export interface AtomicPutDeps {
  fs: typeof Fs;
  TransformStream: typeof Transform;
  finished: typeof import('node:stream').finished;
  createHash: typeof import('node:crypto').createHash;
  randomBytes: typeof import('node:crypto').randomBytes;
  dirname: typeof import('node:path').dirname;
  /** The headers s3rver keeps with an object (S3Object.ALLOWED_METADATA). */
  allowedMetadata: string[];
}

/** A replacement for the store's `putObject`. */
export function atomicPutObject(store: ObjectStore, deps: AtomicPutDeps) {
  const { fs } = deps;

  /**
   * The body into `path`; its byte count and MD5. `pipe` passes on no
   * error and no early end of its source, so those fail the write here.
   */
  const writeBody = (content: Readable | Buffer, path: string) =>
    new Promise<{ size: number; md5: string }>((resolve, reject) => {
      const hash = deps.createHash('md5');
      let size = 0;
      const counter = new deps.TransformStream({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      const file = fs.createWriteStream(path);
      // Settled once the file is closed: a file still opening when the
      // write fails would otherwise be made after it was removed.
      let failure: Error | undefined;
      const fail = (error: Error) => {
        if (failure !== undefined) return;
        failure = error;
        counter.destroy();
        file.destroy();
      };
      counter.on('error', fail);
      file.on('error', fail);
      file.on('close', () => {
        if (failure !== undefined) reject(failure);
        else resolve({ size, md5: hash.digest('hex') });
      });
      counter.pipe(file);
      if (Buffer.isBuffer(content)) {
        counter.end(content);
        return;
      }
      deps.finished(content, (error) => {
        if (error) fail(error);
      });
      content.pipe(counter);
    });

  const keptMetadata = (metadata: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(metadata).filter(([name]) =>
      deps.allowedMetadata.includes(name) || name.startsWith('x-amz-meta-')));

  return async function putObject(
    object: StoredBody,
  ): Promise<{ size: number; md5: string }> {
    const objectPath = store.getResourcePath(object.bucket, object.key,
      'object');
    const metadataPath = store.getResourcePath(object.bucket, object.key,
      'metadata.json');
    // 40 bytes on the object's file name, within what s3Requests.ts keeps
    // free; s3rver lists only names that end in "._S3rver_object".
    const partial = `${objectPath}.partial-${
      deps.randomBytes(8).toString('hex')}`;
    await fs.promises.mkdir(deps.dirname(objectPath), { recursive: true });

    try {
      const written = await writeBody(object.content, partial);
      await fs.promises.writeFile(`${partial}.md5`, written.md5);
      await fs.promises.writeFile(`${partial}.json`,
        JSON.stringify(keptMetadata(object.metadata), null, 2));
      // In one turn of the event loop, so no other request reads between
      // the steps. Without its MD5 file s3rver works the ETag out from the
      // object's bytes, so a crash part-way still gives a true ETag.
      fs.renameSync(`${partial}.json`, metadataPath);
      fs.rmSync(`${objectPath}.md5`, { force: true });
      fs.renameSync(partial, objectPath);
      fs.renameSync(`${partial}.md5`, `${objectPath}.md5`);
      return written;
    } catch (error) {
      for (const path of [partial, `${partial}.md5`, `${partial}.json`]) {
        fs.rmSync(path, { force: true });
      }
      throw error;
    }
  };
}

/**
 * Removes the files a process killed during a PUT left beside objects
 * (`putObject` above removes its own when a PUT fails); they hold no
 * object and would only take space. Run before s3rver serves.
 */
export function removePartialFiles(
  fs: typeof Fs, join: typeof import('node:path').join, directory: string,
): void {
  const partial = /\._S3rver_object\.partial-[0-9a-f]{16}(\.md5|\.json)?$/;
  const names = fs.readdirSync(directory, { recursive: true }) as string[];
  // Files only: a folder of that name (a key's middle segment, made
  // before such keys were refused) made rmSync throw and stopped the start.
  const left = names.map((name) => join(directory, name))
    .filter((path) => partial.test(path) && fs.lstatSync(path).isFile());
  for (const path of left) fs.rmSync(path, { force: true });
}
