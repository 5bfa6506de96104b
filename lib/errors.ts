import { CountingError } from './counting/errors.js';

/**
 * The one error type that crosses layers. The API layer renders it as the
 * Elasticsearch error envelope; everything else that escapes becomes a
 * generic 500 with no internals.
 */
export interface EsErrorShape {
  readonly status: number;
  /** Elasticsearch's snake_case exception type, e.g. `status_exception`. */
  readonly type: string;
  readonly message: string;
}

export interface MlErrorOptions {
  /** Response headers, e.g. `Retry-After` or `WWW-Authenticate`. */
  headers?: Record<string, string>;
  /** The wrapped exception, rendered as `caused_by` and `root_cause`. */
  causedBy?: { type: string; reason: string };
  /**
   * Errors that Elasticsearch reports from its REST layer with the simple
   * body `{"error": "<reason>", "status": <code>}` (content-type problems).
   */
  simple?: boolean;
  /**
   * Extra fields of the error object and of its root cause, in order, as
   * Elasticsearch renders an exception's metadata and headers: security
   * errors carry `additional_unsuccessful_credentials` and `header`.
   */
  metadata?: Record<string, unknown>;
}

export class MlError extends Error implements EsErrorShape {
  readonly headers: Record<string, string>;
  readonly causedBy: { type: string; reason: string } | undefined;
  readonly simple: boolean;
  readonly metadata: Record<string, unknown>;

  constructor(
    readonly status: number,
    readonly type: string,
    reason: string,
    options: MlErrorOptions = {},
  ) {
    super(reason);
    this.name = 'MlError';
    this.headers = options.headers ?? {};
    this.causedBy = options.causedBy;
    this.simple = options.simple ?? false;
    this.metadata = options.metadata ?? {};
  }
}

/**
 * Only our own errors are rendered with their message: a library's error
 * that happens to carry `status` and `type` stays an opaque 500.
 */
export function isEsError(value: unknown): value is EsErrorShape {
  return value instanceof MlError || value instanceof CountingError;
}

export const jobNotFound = (jobId: string): MlError =>
  new MlError(404, 'resource_not_found_exception',
    `No known job with id '${jobId}'`);

export const jobNotOpen = (jobId: string): MlError =>
  new MlError(409, 'status_exception',
    `Cannot perform requested action because job [${jobId}] is not open`);
