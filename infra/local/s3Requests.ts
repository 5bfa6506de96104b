/**
 * Requests the local S3 refuses before s3rver acts on them. s3rver joins
 * the bucket, each segment of the key, the upload id and the part number
 * into file paths as they come, so a `..` segment (sent as is, encoded as
 * `%2e%2e`, or behind an encoded slash) wrote files outside the data
 * folder, and so did its HTML-form POST upload, whose key is in the body.
 * The product sends none of these: it puts objects with PUT (presigned or
 * by an SDK, whole or in parts). Nor does it send requests from a web
 * page, which would let any site the user visits put objects here.
 *
 * Both functions refer to nothing outside themselves but their arguments
 * and `Buffer`: s3Child.ts runs their source text in s3rver's child
 * process, which loads no TypeScript.
 */

/** An S3 error code, whose HTTP status s3rver knows, and its message. */
export interface S3Refusal {
  code: string;
  message: string;
}

type Values = Record<string, string | string[] | undefined>;

export interface S3RequestView {
  method: string;
  /** The path after s3rver's virtual-host rewrite, still encoded. */
  path: string;
  query: Values;
  headers: Values;
}

/**
 * Why the bucket or the key (both decoded) cannot name a file under the
 * data folder: a key segment, between slashes or backslashes, that is `.`
 * or `..`, or a NUL anywhere; a bucket that is empty, `.` or `..` (s3rver
 * takes one from the Host header) or holds a slash, a backslash or a NUL.
 * Other bucket names S3 would refuse are left to s3rver, as ML_BUCKET
 * may name one locally. An empty key (a request on the bucket) is not
 * looked at.
 */
export function nameRefusal(
  bucket: string, key: string | undefined,
): S3Refusal | undefined {
  if (bucket === '' || bucket === '.' || bucket === '..'
    || /[/\\\u0000]/.test(bucket)) {
    return { code: 'InvalidBucketName',
      message: 'The specified bucket is not valid.' };
  }
  if (key === undefined || key === '') return undefined;
  if (key.includes('\u0000')) {
    return { code: 'InvalidArgument',
      message: 'An object key cannot hold a NUL character.' };
  }
  const dotted = key.split(/[/\\]/)
    .some((segment) => segment === '.' || segment === '..');
  if (dotted) {
    return { code: 'InvalidArgument', message: 'The local S3 takes no key '
      + 'with a segment that is . or .. (between slashes or backslashes).' };
  }
  // s3rver's own file names end so; a key holding one could pass for the
  // files of another object, or for what a killed PUT left.
  if (key.includes('._S3rver_')) {
    return { code: 'InvalidArgument', message: 'The local S3 takes no key '
      + 'with ._S3rver_ in it: its own file names hold that.' };
  }
  return undefined;
}

export interface RequestChecks {
  /** The name check (the child has no modules to import it from). */
  names: typeof nameRefusal;
  /** s3rver's file name for a key segment (it escapes some on Windows). */
  fileNameOf(segment: string): string;
}

/**
 * Why the request is refused, if it is. Besides the checks above, a key
 * over S3's 1,024 bytes, or with a segment whose file name is over 200
 * bytes, gets KeyTooLongError: s3rver keeps the last segment as file
 * names with suffixes of up to 22 bytes ("._S3rver_metadata.json"), and
 * most file systems take 255 (ext4, xfs, tmpfs, APFS); a longer one
 * failed part-way and left files that broke every later listing. The 33
 * bytes to spare cover the names of the files an object is written to
 * before it replaces the old one.
 */
export function requestRefusal(
  request: S3RequestView, checks: RequestChecks,
): S3Refusal | undefined {
  const MAX_KEY_BYTES = 1024;
  const MAX_SEGMENT_BYTES = 200;
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const [, bucketPart, ...keyParts] = request.path.split('/');
  const key = keyParts.join('/');
  const query = request.query;

  // A browser sends Origin with every cross-origin request (and "null"
  // from a sandboxed page); without this any web page could put objects
  // here, and a form POST needs no CORS preflight.
  if (request.headers.origin !== undefined) {
    return { code: 'AccessDenied', message: 'The local S3 takes no '
      + 'requests from web pages (they carry an Origin header).' };
  }

  // A POST on the bucket is a form upload unless it deletes objects.
  if (request.method === 'POST' && key === '' && !('delete' in query)) {
    return { code: 'MethodNotAllowed', message: 'The local S3 takes no '
      + 'POST object (HTML form) uploads; use PUT.' };
  }

  if (bucketPart !== undefined && bucketPart !== '') {
    const refused = checks.names(decode(bucketPart), decode(key));
    if (refused !== undefined) return refused;
  }
  const decodedKey = decode(key);
  const tooLong = Buffer.byteLength(decodedKey) > MAX_KEY_BYTES
    || decodedKey.split('/').some((segment) => Buffer.byteLength(
      checks.fileNameOf(segment)) > MAX_SEGMENT_BYTES);
  if (tooLong) {
    return { code: 'KeyTooLongError', message: `Your key is too long: the `
      + `local S3 takes keys of at most ${MAX_KEY_BYTES} bytes, with at most `
      + `${MAX_SEGMENT_BYTES} bytes between slashes.` };
  }

  const copySource = request.headers['x-amz-copy-source'];
  if (copySource !== undefined) {
    // s3rver decodes it with decodeURI and answered a bad escape with 500.
    try {
      decodeURI(String(copySource));
    } catch {
      return { code: 'InvalidArgument', message: 'x-amz-copy-source is not '
        + 'a valid URL-encoded path.' };
    }
    const [sourceBucket = '', ...sourceKey] = decode(String(copySource))
      .replace(/^\//, '').split('/');
    const refused = checks.names(sourceBucket, sourceKey.join('/'));
    if (refused !== undefined) {
      return { code: 'InvalidArgument',
        message: `x-amz-copy-source: ${refused.message}` };
    }
  }

  // s3rver makes upload ids of 32 hex digits; S3 numbers parts 1-10000.
  if ('uploadId' in query && !/^[0-9a-f]{32}$/.test(String(query.uploadId))) {
    return { code: 'NoSuchUpload', message: 'The specified upload does not '
      + 'exist.' };
  }
  const part = query.partNumber;
  if (part !== undefined && !(/^[0-9]{1,5}$/.test(String(part))
    && Number(part) >= 1 && Number(part) <= 10_000)) {
    return { code: 'InvalidArgument', message: 'Part number must be an '
      + 'integer between 1 and 10000, inclusive.' };
  }
  return undefined;
}
