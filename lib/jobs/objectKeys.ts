/**
 * How S3 keys map to jobs: `jobs/{job_id}/{file_name}`. Also the writer
 * id an object's ingestion holds the job's lease under, and the checks on
 * a file name a client asks a presigned URL for.
 */
import { createHash, randomUUID } from 'node:crypto';
import { MlError } from '../errors.js';

export const JOBS_PREFIX = 'jobs/';

/** Longest file name accepted, in UTF-8 bytes (S3 allows 1,024 per key). */
export const MAX_FILE_NAME_BYTES = 255;

/** The job an object key belongs to; undefined for keys outside jobs/. */
export function jobIdOfKey(key: string): string | undefined {
  if (!key.startsWith(JOBS_PREFIX)) return undefined;
  const rest = key.slice(JOBS_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return undefined;
  return rest.slice(0, slash);
}

export const isGzipKey = (key: string): boolean =>
  key.toLowerCase().endsWith('.gz');

/**
 * S3 event keys are URL-encoded with `+` for a space; the `+` must become a
 * space before decoding, as `%2B` is a literal plus.
 */
export function decodeEventKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/** The inverse of decodeEventKey, as S3 encodes keys in its events. */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

/**
 * The lease owner of one object version. Every delivery of the object's
 * event computes the same id, so a later turn (after a deadline or a
 * crash) takes the lease back while other writers keep waiting.
 */
export function ingestOwnerOf(key: string, etag: string): string {
  const digest = createHash('sha256').update(`${key}\n${etag}`).digest('hex');
  return `object-${digest.slice(0, 32)}`;
}

/**
 * The key of a presigned upload: the client's file name, checked, or a
 * new unique name. A name is one path segment of printable characters.
 */
export function uploadKeyOf(
  jobId: string, fileName: string | undefined, nowMs: number,
): string {
  const name = fileName ?? defaultUploadName(nowMs);
  checkFileName(name);
  return `${JOBS_PREFIX}${jobId}/${name}`;
}

/** A unique file name that sorts by time: `upload-<UTC time>-<uuid>`. */
export function defaultUploadName(nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:.]/g, '');
  return `upload-${stamp}-${randomUUID()}`;
}

function checkFileName(name: string): void {
  const problem = fileNameProblem(name);
  if (problem === undefined) return;
  throw new MlError(400, 'illegal_argument_exception',
    `Invalid file_name [${name}]: ${problem}`);
}

/** With the `u` flag a surrogate pair is one code point, so not matched. */
const LONE_SURROGATE = /\p{Cs}/u;

function fileNameProblem(name: string): string | undefined {
  if (name === '') return 'it must not be empty';
  // JSON may carry a lone UTF-16 surrogate (`"\ud800"`), which no S3 key
  // can hold: it has no UTF-8 form, and presigning would throw.
  if (LONE_SURROGATE.test(name)) return 'it must not contain a lone surrogate';
  if (Buffer.byteLength(name, 'utf8') > MAX_FILE_NAME_BYTES) {
    return `it must be at most ${MAX_FILE_NAME_BYTES} bytes long`;
  }
  if (name === '.' || name === '..') return 'it must not be . or ..';
  if (/[/\\]/.test(name)) return 'it must not contain / or \\';
  // Control characters and the Unicode line separators break logs and
  // some S3 clients' listings.
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name)) {
    return 'it must not contain control characters';
  }
  return undefined;
}
