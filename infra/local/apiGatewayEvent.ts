/**
 * The API Gateway HTTP API (payload 2.0) event that the Lambda handler
 * receives in AWS, built from a node:http request, and its result back
 * as plain headers.
 */
import { isAscii } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type {
  APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';

/**
 * A body of ASCII bytes only goes in as text, as API Gateway sends text
 * bodies, and any other in base64, as it sends binary ones: the handler
 * decodes either to the same bytes. Text costs a byte per byte, base64 a
 * third more: a 95 MiB body of JSON lines is held three times, not
 * 3.3, while it is handed over (its bytes, the event, the decoded bytes).
 */
export function toEvent(
  request: IncomingMessage, method: string, path: string, query: string,
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers = eventHeaders(request);
  const cookie = request.headers.cookie;
  const text = isAscii(body);
  const now = new Date();

  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    cookies: cookie === undefined ? undefined : cookie.split('; '),
    headers,
    isBase64Encoded: !text,
    body: text ? body.toString('latin1') : body.toString('base64'),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: request.headers.host ?? 'localhost',
      domainPrefix: 'local',
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      http: {
        method,
        path,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '',
        userAgent: request.headers['user-agent'] ?? '',
      },
    },
  };
}

/** The headers as the event carries them: cookies go apart. */
export function eventHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

export function splitTarget(target: string): { path: string; query: string } {
  const mark = target.indexOf('?');
  if (mark < 0) return { path: target, query: '' };
  return { path: target.slice(0, mark), query: target.slice(mark + 1) };
}

export function stringHeaders(
  headers: APIGatewayProxyStructuredResultV2['headers'],
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    result[name] = String(value);
  }
  return result;
}
