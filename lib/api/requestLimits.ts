import { MlError } from '../errors.js';
import { bodyTooLarge, jsonBodyTooLarge } from './apiErrors.js';
import type { BodyLimits } from './bodyDecoder.js';
import type { RouteSpec } from './routes.js';

/**
 * Limits on the parts of a request that come before the body, and on the
 * body of each route.
 */

/**
 * The largest JSON body (a job, a key request, open, close or flush
 * parameters), after decompression. A stored job may take 400,000 bytes
 * (configLimits.ts); 1 MiB leaves room for such a job sent pretty-printed
 * and refuses a larger body before it is parsed. Post data's bodies are
 * bounded by `maxBodyBytes` alone.
 */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** The body limit of `route`, never above `maxBodyBytes`. */
export function bodyLimitsOf(
  route: Pick<RouteSpec, 'body'>, maxBodyBytes: number, jobId?: string,
): BodyLimits {
  if (route.body === 'data') {
    return { maxBodyBytes, tooLarge: () => bodyTooLarge(maxBodyBytes, jobId) };
  }
  const limit = Math.min(maxBodyBytes, MAX_JSON_BODY_BYTES);
  return { maxBodyBytes: limit, tooLarge: () => jsonBodyTooLarge(limit) };
}

/**
 * Elasticsearch refuses a request line over 4 KiB
 * (`http.max_initial_line_length`). Here the limit applies to the path
 * and query string alone, so a target of up to 4096 bytes passes where
 * Elasticsearch, counting the method and protocol too, stops about 15
 * bytes sooner.
 */
export const MAX_REQUEST_TARGET_BYTES = 4096;

export const lineTooLong = (): MlError =>
  new MlError(400, 'too_long_http_line_exception',
    `An HTTP line is larger than ${MAX_REQUEST_TARGET_BYTES} bytes.`);

export const headersTooLarge = (limitBytes: number): MlError =>
  new MlError(400, 'too_long_http_header_exception',
    `HTTP header is larger than ${limitBytes} bytes.`);

/** Throws 400 when `path?query` is longer than the limit. */
export function checkRequestTarget(path: string, rawQuery: string): void {
  const queryBytes = rawQuery === '' ? 0 : 1 + Buffer.byteLength(rawQuery);
  if (Buffer.byteLength(path) + queryBytes <= MAX_REQUEST_TARGET_BYTES) {
    return;
  }
  throw lineTooLong();
}
