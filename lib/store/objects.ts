/**
 * S3 access of the upload path: the size and ETag of an object, ranged
 * reads pinned to one ETag, and presigned PUT URLs. Only this file talks
 * to the S3 client.
 */
import {
  GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { MlError } from '../errors.js';

export interface S3ClientOptions {
  /** A stand-in such as s3rver; else `AWS_ENDPOINT_URL_S3`, else AWS. */
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** s3rver accepts only this key pair. */
export const S3RVER_CREDENTIALS = {
  accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER',
};

/**
 * Made once per process. The client adds request checksums only where an
 * operation requires them: by default the SDK signs the CRC32 of an empty
 * body into a presigned PUT URL, which S3 then compares with the file
 * sent to it. The service reads only ranges, for which S3 sends no
 * checksum, so response validation is left as the SDK has it.
 */
export function createS3Client(
  options: S3ClientOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): S3Client {
  const endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL_S3;
  const standIn = endpoint !== undefined;
  const useStandInKeys = standIn && options.credentials === undefined
    && env.AWS_ACCESS_KEY_ID === undefined;
  return new S3Client({
    region: options.region ?? env.AWS_REGION ?? 'us-east-1',
    endpoint,
    // A stand-in on an IP or localhost has no virtual-hosted buckets.
    forcePathStyle: standIn,
    credentials: useStandInKeys ? S3RVER_CREDENTIALS : options.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
}

export interface ObjectHead {
  sizeBytes: number;
  /** Without the quotes S3 puts around it. */
  etag: string;
}

/** The object was replaced (another ETag) while it was being read. */
export class ObjectChangedError extends MlError {
  constructor(readonly key: string, readonly etag: string) {
    super(409, 'status_exception',
      `object [${key}] changed while it was being read (it no longer has `
        + `ETag ${etag}); nothing of the new version was counted`);
    this.name = 'ObjectChangedError';
  }
}

export interface ObjectStore {
  /** Undefined when there is no such object (deleted since its event). */
  head(key: string): Promise<ObjectHead | undefined>;
  /**
   * Bytes `[start, endExclusive)` of the version with `etag`. Throws
   * ObjectChangedError when the object now has another ETag.
   */
  readRange(
    key: string, etag: string, start: number, endExclusive: number,
  ): Promise<Uint8Array>;
  /**
   * The same bytes as they arrive, so that counting overlaps the transfer.
   * Throws ObjectChangedError before the first piece when the ETag
   * differs, and after the last when the object proves shorter.
   */
  readRangePieces(
    key: string, etag: string, start: number, endExclusive: number,
  ): Promise<RangePieces>;
  /** A URL that accepts one PUT of `key` until `expiresInSec` pass. */
  presignPut(key: string, expiresInSec: number): Promise<string>;
}

/** A range's body as it arrives; read it whole, or discard it. */
export interface RangePieces extends AsyncIterable<Uint8Array> {
  /** Closes a body that will not be read, and frees its connection. */
  discard(): void;
}

export const unquoteEtag = (etag: string): string =>
  etag.replace(/^(W\/)?"/, '').replace(/"$/, '');

export function createObjectStore(
  client: S3Client, bucketName: string,
): ObjectStore {
  return {
    async head(key) {
      try {
        const output = await client.send(
          new HeadObjectCommand({ Bucket: bucketName, Key: key }));
        return {
          sizeBytes: output.ContentLength ?? 0,
          etag: unquoteEtag(output.ETag ?? ''),
        };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },

    async readRange(key, etag, start, endExclusive) {
      const body = await getRange(client, bucketName, key, etag, start,
        endExclusive);
      const bytes = await body?.transformToByteArray() ?? new Uint8Array(0);
      if (bytes.length !== endExclusive - start) {
        // A shorter object than its HEAD said is another version.
        throw new ObjectChangedError(key, etag);
      }
      return bytes;
    },

    async readRangePieces(key, etag, start, endExclusive) {
      const body = await getRange(client, bucketName, key, etag, start,
        endExclusive);
      const stream = body as (AsyncIterable<Uint8Array> & {
        destroy?(): void;
      }) | undefined;
      const read = pieces(stream, endExclusive - start,
        new ObjectChangedError(key, etag));
      return {
        [Symbol.asyncIterator]: () => read,
        discard: () => stream?.destroy?.(),
      };
    },

    presignPut(key, expiresInSec) {
      return getSignedUrl(client,
        new PutObjectCommand({ Bucket: bucketName, Key: key }),
        { expiresIn: expiresInSec });
    },
  };
}

type RangeBody = { transformToByteArray(): Promise<Uint8Array> } | undefined;

/** The body of a ranged GET of the version with `etag`. */
async function getRange(
  client: S3Client, bucketName: string, key: string, etag: string,
  start: number, endExclusive: number,
): Promise<RangeBody> {
  let output;
  try {
    // S3 refuses with 412 once the ETag differs; s3rver ignores
    // If-Match, so the ETag of the answer is compared as well.
    output = await client.send(new GetObjectCommand({
      Bucket: bucketName, Key: key, IfMatch: `"${etag}"`,
      Range: `bytes=${start}-${endExclusive - 1}`,
    }));
  } catch (error) {
    const status = statusOf(error);
    if (status === 412 || status === 404) {
      throw new ObjectChangedError(key, etag);
    }
    throw error;
  }
  if (unquoteEtag(output.ETag ?? '') !== etag) {
    await output.Body?.transformToByteArray();
    throw new ObjectChangedError(key, etag);
  }
  return output.Body;
}

async function* pieces(
  body: AsyncIterable<Uint8Array> | undefined, expected: number,
  short: ObjectChangedError,
): AsyncGenerator<Uint8Array> {
  let seen = 0;
  if (body !== undefined) {
    for await (const piece of body) {
      seen += piece.length;
      yield piece;
    }
  }
  // A shorter object than its HEAD said is another version.
  if (seen !== expected) throw short;
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof S3ServiceException) {
    return error.$metadata.httpStatusCode;
  }
  return (error as { $metadata?: { httpStatusCode?: number } } | null)
    ?.$metadata?.httpStatusCode;
}
