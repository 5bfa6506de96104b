import { isEsError } from '../errors.js';
import type { HttpResponse } from './types.js';

export const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8';

/** Renders a body as Elasticsearch does: compact, or `?pretty`. */
export function jsonResponse(
  status: number, body: unknown, pretty: boolean,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    status,
    headers: { ...headers, 'content-type': JSON_CONTENT_TYPE },
    body: pretty ? prettyJson(body) + '\n' : JSON.stringify(body),
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
      'Internal server error', undefined, undefined), pretty);
  }

  const extra = error as {
    headers?: Record<string, string>;
    causedBy?: { type: string; reason: string };
    simple?: boolean;
  };
  const headers = extra.headers ?? {};
  if (extra.simple === true) {
    return jsonResponse(error.status,
      { error: error.message, status: error.status }, pretty, headers);
  }
  const challenge = headers['WWW-Authenticate'];
  const body = envelope(error.status, error.type, error.message,
    extra.causedBy, challenge);
  return jsonResponse(error.status, body, pretty, headers);
}

function envelope(
  status: number, type: string, reason: string,
  causedBy: { type: string; reason: string } | undefined,
  challenge: string | undefined,
): object {
  const header = challenge === undefined
    ? {} : { header: { 'WWW-Authenticate': challenge } };
  const rootCause = causedBy === undefined
    ? { type, reason, ...header }
    : { type: causedBy.type, reason: causedBy.reason };
  return {
    error: {
      root_cause: [rootCause],
      type,
      reason,
      ...(causedBy === undefined ? {} : { caused_by: causedBy }),
      ...header,
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
  return JSON.stringify(value) ?? 'null';
}
