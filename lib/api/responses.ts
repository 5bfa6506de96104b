import { jsonNumberText } from '../counting/index.js';
import { isEsError } from '../errors.js';
import type { HttpResponse } from './types.js';

export const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8';

/**
 * Sent on every answer, as Elasticsearch has done since 7.14: the official
 * clients refuse any 2xx answer without it (`ProductNotSupportedError`).
 */
export const PRODUCT_HEADERS: Readonly<Record<string, string>> = {
  'x-elastic-product': 'Elasticsearch',
};

/** Renders a body as Elasticsearch does: compact, or `?pretty`. */
export function jsonResponse(
  status: number, body: unknown, pretty: boolean,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    status,
    headers: {
      ...headers, ...PRODUCT_HEADERS, 'content-type': JSON_CONTENT_TYPE,
    },
    body: pretty ? prettyJson(body) + '\n' : compactJson(body),
  };
}

/**
 * An error as Elasticsearch renders it (spec 11.1): the envelope with
 * `root_cause`, `type`, `reason`, `caused_by` and, for authentication
 * failures, `header`; or the simple body for REST-layer refusals. Any
 * other error is a 500 that reveals nothing; `onUnexpected` sees it.
 */
export function errorResponse(
  error: unknown, pretty: boolean,
  onUnexpected: (error: unknown) => void = () => {},
): HttpResponse {
  if (!isEsError(error)) {
    onUnexpected(error);
    return jsonResponse(500, envelope(500, 'exception',
      'Internal server error', undefined, {}), pretty);
  }

  const extra = error as {
    headers?: Record<string, string>;
    causedBy?: { type: string; reason: string };
    simple?: boolean;
    metadata?: Record<string, unknown>;
  };
  const headers = extra.headers ?? {};
  if (extra.simple === true) {
    return jsonResponse(error.status,
      { error: error.message, status: error.status }, pretty, headers);
  }
  const body = envelope(error.status, error.type, error.message,
    extra.causedBy, errorMetadata(extra.metadata, headers));
  return jsonResponse(error.status, body, pretty, headers);
}

/**
 * The extra fields of an error object. An authentication challenge sent
 * only as a response header is echoed under `header` as well, as
 * Elasticsearch does for its security errors.
 */
function errorMetadata(
  metadata: Record<string, unknown> = {}, headers: Record<string, string>,
): Record<string, unknown> {
  const challenge = headers['WWW-Authenticate'];
  if ('header' in metadata || challenge === undefined) return metadata;
  return { ...metadata, header: { 'WWW-Authenticate': challenge } };
}

/**
 * Elasticsearch writes an error object as type, reason, its metadata,
 * `caused_by`, then `header`; a root cause the same way, without
 * `caused_by`. Metadata belongs to the outer error, so a wrapped root
 * cause shows none of it.
 */
function envelope(
  status: number, type: string, reason: string,
  causedBy: { type: string; reason: string } | undefined,
  metadata: Record<string, unknown>,
): object {
  const { header, ...fields } = metadata;
  const headerField = header === undefined ? {} : { header };
  const rootCause = causedBy === undefined
    ? { type, reason, ...fields, ...headerField }
    : { type: causedBy.type, reason: causedBy.reason };
  return {
    error: {
      root_cause: [rootCause],
      type,
      reason,
      ...fields,
      ...(causedBy === undefined ? {} : { caused_by: causedBy }),
      ...headerField,
    },
    status,
  };
}

/** Elasticsearch's answer for a path it has no handler for. */
export function noHandlerResponse(
  uri: string, method: string, pretty: boolean,
): HttpResponse {
  return jsonResponse(400, {
    error: `no handler found for uri [${uri}] and method [${method}]`,
  }, pretty);
}

export function methodNotAllowedResponse(
  uri: string, method: string, allowed: string[], pretty: boolean,
): HttpResponse {
  return jsonResponse(405, {
    error: `Incorrect HTTP method for uri [${uri}] and method [${method}], `
      + `allowed: [${allowed.join(', ')}]`,
    status: 405,
  }, pretty, { allow: allowed.join(',') });
}

/**
 * Elasticsearch's pretty printer: two-space indents, `"key" : value`,
 * and `{ }` / `[ ]` for empty containers.
 */
export function prettyJson(value: unknown, indent = ''): string {
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]';
    const items = value.map((item) => inner + prettyJson(item, inner));
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, field]) => field !== undefined);
    if (entries.length === 0) return '{ }';
    const fields = entries.map(([key, field]) =>
      `${inner}${JSON.stringify(key)} : ${prettyJson(field, inner)}`);
    return `{\n${fields.join(',\n')}\n${indent}}`;
  }
  return scalarJson(value);
}

/**
 * JSON.stringify's output, but for numbers: counters and times are Java
 * longs, and one saturated at Long.MAX_VALUE must print as such, not as
 * the 9223372036854776000 that JSON.stringify makes of 2^63.
 */
export function compactJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((item) => compactJson(item)).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const fields = Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .map(([key, field]) => `${JSON.stringify(key)}:${compactJson(field)}`);
    return `{${fields.join(',')}}`;
  }
  return scalarJson(value);
}

function scalarJson(value: unknown): string {
  if (typeof value === 'number') return jsonNumberText(value);
  return JSON.stringify(value) ?? 'null';
}
