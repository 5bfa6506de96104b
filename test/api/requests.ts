import type { HttpRequest } from '../../lib/api/types.js';

/** Builds a request; `target` may carry a query string. */
export function httpRequest(
  method: string,
  target: string,
  options: { headers?: Record<string, string>; body?: Uint8Array | string } = {},
): HttpRequest {
  const [path, query = ''] = target.split('?');
  const body = options.body ?? new Uint8Array();
  return {
    method,
    path,
    query: new URLSearchParams(query),
    headers: options.headers ?? {},
    body: typeof body === 'string' ? Buffer.from(body) : body,
  };
}

export const JSON_HEADERS = { 'content-type': 'application/json' };

export function parseBody(response: { body: string }): any {
  return JSON.parse(response.body);
}
