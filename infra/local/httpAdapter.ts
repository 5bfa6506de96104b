import {
  createServer, type IncomingMessage, type Server, type ServerResponse,
} from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Logger } from 'pino';
import {
  bodyTooLarge, errorResponse, errorSummary, jobIdOf,
} from '../../lib/api/index.js';
import type { HttpHandler } from '../../functions/http.js';
import { splitTarget, stringHeaders, toEvent } from './apiGatewayEvent.js';
import { answerClientError } from './clientErrors.js';

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

/** The body is read here and not kept: see toEvent. */
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
