/**
 * An upload the core refuses as a whole (malformed beyond recovery, over a
 * limit, a CSV header without a configured field). Shaped like the API's
 * errors (status, Elasticsearch type, message) so it renders the same way,
 * without the core importing anything outside its folder.
 */
export class CountingError extends Error {
  constructor(
    readonly type: string,
    reason: string,
    readonly status: number = 400,
  ) {
    super(reason);
    this.name = 'CountingError';
  }
}

export const malformedJson = (): CountingError =>
  new CountingError('parse_exception', 'The input JSON data is malformed.');

// The limits are settings of the service; each message names the
// variable that sets it (lib/config.ts).
export const recordTooLarge = (maxRecordBytes: number): CountingError =>
  new CountingError('parse_exception',
    `A record is larger than the limit of ${maxRecordBytes} bytes ` +
    '(ML_MAX_RECORD_BYTES).');

export const nestingTooDeep = (maxDepth: number): CountingError =>
  new CountingError('parse_exception',
    `The input nests objects and arrays deeper than the limit of ${maxDepth} ` +
    'levels (ML_MAX_DEPTH).');

export const tooManyFields = (maxFieldsPerRecord: number): CountingError =>
  new CountingError('parse_exception',
    `A record has more than the limit of ${maxFieldsPerRecord} fields ` +
    '(ML_MAX_FIELDS).');

export const headerTooLarge = (maxRecordBytes: number): CountingError =>
  new CountingError('parse_exception',
    `The CSV header is larger than the limit of ${maxRecordBytes} bytes ` +
    '(ML_MAX_RECORD_BYTES).');

export const headerTooWide = (maxFieldsPerRecord: number): CountingError =>
  new CountingError('parse_exception',
    `The CSV header has more than the limit of ${maxFieldsPerRecord} ` +
    'columns (ML_MAX_FIELDS).');

export const fieldNotInCsvHeader = (
  field: string, header: ReadonlyArray<string | null>,
): CountingError =>
  new CountingError('illegal_argument_exception',
    `Field configured for analysis '${field}' is not in the CSV header ` +
    `'[${header.map(String).join(', ')}]'`);

export const quotedColumnTooLong = (
  startLine: number, endLine: number,
): CountingError =>
  new CountingError('parse_exception',
    'max number of lines to read exceeded while reading quoted column ' +
    `beginning on line ${startLine} and ending on line ${endLine}`);

export const quotedColumnUnclosed = (
  startLine: number, endLine: number,
): CountingError =>
  new CountingError('parse_exception',
    'unexpected end of file while reading quoted column ' +
    `beginning on line ${startLine} and ending on line ${endLine}`);
