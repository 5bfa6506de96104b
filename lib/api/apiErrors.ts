import { MlError } from '../errors.js';

/**
 * The errors the REST layer raises itself, before any job operation runs.
 * Wording follows Elasticsearch's REST controller where it has one.
 */

export const contentTypeMissing = (): MlError =>
  new MlError(406, 'not_acceptable', 'Content-Type header is missing',
    { simple: true });

export const contentTypeUnsupported = (sent: string): MlError =>
  new MlError(406, 'not_acceptable',
    `Content-Type header [${sent}] is not supported`, { simple: true });

export const noStreamParsing = (format: string): MlError =>
  new MlError(406, 'not_acceptable',
    `Content-Type [${format}] does not support stream parsing. `
      + 'Use JSON or SMILE instead', { simple: true });

/** SMILE (and, off the data route, CBOR and YAML) have no reader here. */
export const formatNotReadHere = (format: string): MlError =>
  new MlError(406, 'not_acceptable',
    `Content-Type [${format}] is not supported by this service. `
      + 'Send JSON or NDJSON instead', { simple: true });

export const responseFormatUnsupported = (format: string): MlError =>
  new MlError(406, 'not_acceptable',
    `format [${format}] is not supported by this service, `
      + 'which answers in [json] only', { simple: true });

export const unrecognizedParameters = (
  path: string, names: string[], suggestions: string[][],
): MlError => {
  const plural = names.length > 1 ? 's' : '';
  const listed = names.map((name, i) => {
    const near = suggestions[i];
    if (near.length === 0) return `[${name}]`;
    const anyOf = near.length > 1 ? 'any of ' : '';
    return `[${name}] -> did you mean ${anyOf}[${near.join(', ')}]?`;
  });
  return new MlError(400, 'illegal_argument_exception',
    `request [${path}] contains unrecognized parameter${plural}: `
      + listed.join(', '));
};

export const notABoolean = (value: string): MlError =>
  new MlError(400, 'illegal_argument_exception',
    `Failed to parse value [${value}] as only [true] or [false] are allowed.`);

export const bodyNotSupported = (method: string, path: string): MlError =>
  new MlError(400, 'illegal_argument_exception',
    `request [${method} ${path}] does not support having a body`);

export const bodyRequired = (): MlError =>
  new MlError(400, 'parse_exception', 'request body is required');

export const bodyNotJson = (detail: string): MlError =>
  new MlError(400, 'x_content_parse_exception',
    `Failed to parse the request body as JSON: ${detail}`);

export const bodyFieldWrongType = (field: string, expected: string): MlError =>
  new MlError(400, 'x_content_parse_exception',
    `[${field}] must be ${expected}`);

export const encodingUnsupported = (encoding: string): MlError =>
  new MlError(400, 'illegal_argument_exception',
    `Content-Encoding [${encoding}] is not supported; `
      + 'send the body uncompressed, gzip or deflate');

export const badCompressedBody = (encoding: string, detail: string): MlError =>
  new MlError(400, 'parse_exception',
    `The request body could not be decompressed as ${encoding}: ${detail}`);

/**
 * Over the HTTP body limit. Elasticsearch answers 413 with no body; here
 * the reason says what the limit is and where large files go instead.
 */
export const bodyTooLarge = (
  limitBytes: number, jobId?: string,
): MlError => {
  const job = jobId ?? '{job_id}';
  return new MlError(413, 'status_exception',
    `The request body is larger than the limit of ${limitBytes} bytes `
      + `(${byteSize(limitBytes)}) after decompression. Send large files `
      + `with POST _ml/anomaly_detectors/${job}/_upload instead.`);
};

/** Over the limit of a JSON body, on every route but post data's. */
export const jsonBodyTooLarge = (limitBytes: number): MlError =>
  new MlError(413, 'status_exception',
    `The request body is larger than the limit of ${limitBytes} bytes `
      + `(${byteSize(limitBytes)}) after decompression; only post data `
      + '(POST _ml/anomaly_detectors/{job_id}/_data) takes larger bodies.');

function byteSize(bytes: number): string {
  const units: Array<[string, number]> = [
    ['gb', 1024 ** 3], ['mb', 1024 ** 2], ['kb', 1024],
  ];
  for (const [unit, size] of units) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}b`;
}
