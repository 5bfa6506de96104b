import { randomUUID } from 'node:crypto';
import {
  createServer, maxHeaderSize, STATUS_CODES, type IncomingMessage,
  type Server, type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import type {
  APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import type { Logger } from 'pino';
import {
  bodyTooLarge, errorResponse, errorSummary, headersTooLarge, jobIdOf,
  type HttpResponse,
} from '../../lib/api/index.js';
import type { HttpHandler } from '../../functions/http.js';

export interface LocalServerOptions {
  /** Bodies longer than this are refused before they are buffered. */
  maxBodyBytes: number;
  logger: Logger;
}

/**
 * A node:http server that turns each request into the API Gateway HTTP API
 * event the Lambda handler receives in AWS, so the same code answers.
 * The body is buffered up to the limit, as API Gateway buffers it;
 * a compressed body counts here by its sent size, and again after
 * inflation in the API layer.
 */
export function createLocalServer(
  handle: HttpHandler, options: LocalServerOptions,
): Server {
  const server = createServer((request, response) => {
    serve(request, response, handle, options).catch((error: unknown) => {
      options.logger.error({ err: errorSummary(error) }, 'unexpected error');
      send(response, errorResponse(error, false));
    });
  });
  server.on('clientError', answerClientError);
  return server;
}

/**
 * Requests Node's parser refuses before any handler runs. Headers (the
 * request line included) over Node's `maxHeaderSize`, 16 KiB unless
 * `--max-http-header-size` says otherwise, get the envelope rather than
 * Node's bare 431; other faults get Node's usual bare answers.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex) {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    socket.end(rawResponse(errorResponse(headersTooLarge(maxHeaderSize),
      false)));
    return;
  }
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  socket.end(rawResponse({ status, headers: {}, body: '' }));
}

function rawResponse(answer: HttpResponse): string {
  const headers = Object.entries({
    ...answer.headers,
    'content-length': String(Buffer.byteLength(answer.body)),
    connection: 'close',
  }).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n`
    + `${headers}\r\n${answer.body}`;
}

async function serve(
  request: IncomingMessage, response: ServerResponse, handle: HttpHandler,
  options: LocalServerOptions,
): Promise<void> {
  const { path, query } = splitTarget(request.url ?? '/');
  const method = (request.method ?? 'GET').toUpperCase();
  const declared = Number(request.headers['content-length'] ?? 0);

  const event = declared > options.maxBodyBytes
    ? undefined : await readEvent(request, method, path, query, options);
  if (event === undefined) {
    refuseTooLarge(request, response, method, path, options);
    return;
  }

  const result = await handle(event);
  send(response, {
    status: result.statusCode ?? 200,
    headers: stringHeaders(result.headers),
    body: result.body ?? '',
  });
}

/**
 * The body is read here and not kept: once it is in the event (base64,
 * as API Gateway sends binary bodies) only the event holds it, so the
 * process holds a large body about twice over (the event and its decoded
 * bytes), not four times.
 */
async function readEvent(
  request: IncomingMessage, method: string, path: string, query: string,
  options: LocalServerOptions,
): Promise<APIGatewayProxyEventV2 | undefined> {
  const body = await readBody(request, options.maxBodyBytes);
  if (body === undefined) return undefined;
  return toEvent(request, method, path, query, body);
}

/**
 * Resolves to undefined as soon as the body passes `limit` bytes. With a
 * declared length the bytes go straight into one buffer of that size,
 * with no list of chunks to join.
 */
function readBody(
  request: IncomingMessage, limit: number,
): Promise<Buffer | undefined> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  const whole = Number.isSafeInteger(declared) && declared >= 0
    ? Buffer.allocUnsafe(declared) : undefined;

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      if (length + chunk.length > limit) {
        request.off('data', onData);
        request.pause();
        resolve(undefined);
        return;
      }
      // Node's parser never delivers more than the declared length.
      if (whole !== undefined) chunk.copy(whole, length);
      else chunks.push(chunk);
      length += chunk.length;
    };
    request.on('data', onData);
    request.once('end', () => resolve(whole === undefined
      ? Buffer.concat(chunks, length) : whole.subarray(0, length)));
    request.once('error', reject);
  });
}

/** Answers 413, then drops the connection rather than read the rest. */
function refuseTooLarge(
  request: IncomingMessage, response: ServerResponse, method: string,
  path: string, options: LocalServerOptions,
): void {
  const error = bodyTooLarge(options.maxBodyBytes, jobIdOf(method, path));
  response.setHeader('connection', 'close');
  response.once('finish', () => request.destroy());
  send(response, errorResponse(error, false));
  options.logger.info({ method, path, status: 413 }, 'request');
}

function toEvent(
  request: IncomingMessage, method: string, path: string, query: string,
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const cookie = request.headers.cookie;
  const now = new Date();

  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    cookies: cookie === undefined ? undefined : cookie.split('; '),
    headers,
    isBase64Encoded: true,
    body: body.toString('base64'),
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

function splitTarget(target: string): { path: string; query: string } {
  const mark = target.indexOf('?');
  if (mark < 0) return { path: target, query: '' };
  return { path: target.slice(0, mark), query: target.slice(mark + 1) };
}

function stringHeaders(
  headers: APIGatewayProxyStructuredResultV2['headers'],
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    result[name] = String(value);
  }
  return result;
}

function send(
  response: ServerResponse,
  answer: { status: number; headers: Record<string, string>; body: string },
): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}
