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
