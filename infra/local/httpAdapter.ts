import {
  createServer, type IncomingMessage, type Server, type ServerResponse,
} from 'node:http';
import type { Logger } from 'pino';
import {
  bodyLimitsFor, errorResponse, errorSummary, refusalBeforeBody,
  type Authenticate, type HttpResponse,
} from '../../lib/api/index.js';
import type { BodyLimits } from '../../lib/api/bodyDecoder.js';
import { localOnlyRefusal } from '../../lib/auth/authMode.js';
import type { MlError } from '../../lib/errors.js';
import type { HttpHandler } from '../../functions/http.js';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  eventHeaders, splitTarget, stringHeaders, toEvent,
} from './apiGatewayEvent.js';
import { bodyTooSlow, type BodyPace } from './bodyPace.js';
import { readBody } from './bodyReader.js';
import { answerClientError } from './clientErrors.js';
import {
  createInflightBudget, dataTooLarge, type BudgetHold, type InflightBudget,
} from './inflightBudget.js';

export interface LocalServerOptions {
  /**
   * The body limit of post data; other routes have their own, smaller
   * one. Bodies over their route's limit are refused before they are
   * buffered.
   */
  maxBodyBytes: number;
  /** Most body bytes that requests in flight may hold together. */
  maxInflightBytes: number;
  /** The pace a body must keep while it is read, or the request ends. */
  bodyPace: BodyPace;
  /**
   * True while API keys are off: requests from a web page (with Origin)
   * or through a Host that is not loopback are refused with 403.
   */
  localOnly: boolean;
  /**
   * While API keys are on: checks a request's key from its headers
   * before its body is taken in (see refusalBeforeBody).
   */
  authenticate?: Authenticate;
  logger: Logger;
}

/**
 * A node:http server that turns each request into the API Gateway HTTP API
 * event the Lambda handler receives in AWS, so the same code answers.
 * The body is buffered up to the limit, as API Gateway buffers it;
 * a compressed body counts here by its sent size, and again after
 * inflation in the API layer. Bodies in flight together share a budget:
 * a request whose declared length would pass it is refused with 429
 * before its body is read, a chunked one as soon as its bytes would.
 * A body that falls below the pace ends its request with 408, so a
 * stalled client gives its share back within one window. With API keys
 * on, a request without a valid key is answered 401 before any of that:
 * it never holds a share.
 */
export function createLocalServer(
  handle: HttpHandler, options: LocalServerOptions,
): Server {
  const budget = createInflightBudget(options.maxInflightBytes);
  const onRequest = (
    request: IncomingMessage, response: ServerResponse, expects: boolean,
  ) => {
    const limits = bodyLimitsFor(request.method ?? 'GET',
      splitTarget(request.url ?? '/').path, options.maxBodyBytes);
    serve({ request, response, handle, options, budget, limits }, expects)
      .catch((error: unknown) => {
        options.logger.error({ err: errorSummary(error) },
          'unexpected error');
        send(response, errorResponse(error, false));
      });
  };
  // Node answers an HTTP/1.1 request without Host with a bare 400 by
  // default; Elasticsearch serves it. Here the API decides, and with keys
  // off the local-only rule refuses it (localOnlyRefusal).
  const server = createServer({ requireHostHeader: false },
    (request, response) => onRequest(request, response, false));
  // Node sends `100 Continue` at once unless this event is handled; a
  // request that will be refused must be refused before its body comes.
  server.on('checkContinue', (request, response) =>
    onRequest(request, response, true));
  server.on('clientError', answerClientError);
  return server;
}

interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  handle: HttpHandler;
  options: LocalServerOptions;
  budget: InflightBudget;
  /** The limit of the route the request is for. */
  limits: BodyLimits;
}

async function serve(exchange: Exchange, expectsContinue: boolean) {
  const { request, response, budget, limits } = exchange;
  const stranger = exchange.options.localOnly
    ? localOnlyRefusal(request.headers) : undefined;
  if (stranger !== undefined) {
    refuse(exchange, stranger);
    return;
  }

  const header = request.headers['content-length'];
  // Node's parser has checked it: one non-negative integer, or absent.
  const declared = header === undefined ? undefined : Number(header);
  if (declared !== undefined && declared > limits.maxBodyBytes) {
    refuse(exchange, limits.tooLarge());
    return;
  }
  const unknown = await keyRefusal(exchange);
  if (unknown !== undefined) {
    refuseWith(exchange, unknown);
    return;
  }

  const hold = budget.hold();
  try {
    if (declared !== undefined && !hold.take(declared)) {
      refuse(exchange, dataTooLarge(hold.totalWith(declared),
        budget.limitBytes));
      return;
    }
    if (expectsContinue) response.writeContinue();
    await answer(exchange, declared, declared === undefined ? hold : undefined);
  } finally {
    hold.release();
  }
}

/** The API's 401 when auth is on and the request's key is not valid. */
async function keyRefusal(
  exchange: Exchange,
): Promise<HttpResponse | undefined> {
  const { request, options } = exchange;
  if (options.authenticate === undefined) return undefined;
  const { path, query } = splitTarget(request.url ?? '/');
  return refusalBeforeBody(options.authenticate, {
    method: request.method ?? 'GET', path, rawQuery: query,
    headers: eventHeaders(request),
  });
}

/** Reads the body, then hands the event to the handler. */
async function answer(
  exchange: Exchange, declared: number | undefined,
  chunked: BudgetHold | undefined,
) {
  const { response, handle } = exchange;
  const event = await readEvent(exchange, declared, chunked);
  if (event === undefined) return;

  const result = await handle(event);
  send(response, {
    status: result.statusCode ?? 200,
    headers: stringHeaders(result.headers),
    body: result.body ?? '',
  });
}

/**
 * The event of a body read whole, or undefined when the request has been
 * answered (or has gone). Only the event holds the body once this returns.
 */
async function readEvent(
  exchange: Exchange, declared: number | undefined,
  chunked: BudgetHold | undefined,
): Promise<APIGatewayProxyEventV2 | undefined> {
  const { request, budget, limits } = exchange;
  const body = await readBody(request, { limit: limits.maxBodyBytes,
    declared, chunked, pace: exchange.options.bodyPace });
  if (body.kind === 'aborted') return undefined;
  if (body.kind === 'too-slow') {
    drop(exchange, bodyTooSlow(exchange.options.bodyPace));
    return undefined;
  }
  if (body.kind === 'too-large') {
    refuse(exchange, limits.tooLarge());
    return undefined;
  }
  if (body.kind === 'over-budget') {
    refuse(exchange, dataTooLarge(body.wantedBytes, budget.limitBytes));
    return undefined;
  }

  const { path, query } = splitTarget(request.url ?? '/');
  const method = (request.method ?? 'GET').toUpperCase();
  return toEvent(request, method, path, query, body.bytes);
}

/**
 * How long the rest of a refused body may take to arrive (it is read and
 * dropped) before the connection is closed; 100 MB crosses loopback in
 * well under a second.
 */
const LINGER_MS = 1_000;

/**
 * Answers, then reads on and drops what the client still sends, so that
 * the connection ends as an ordinary exchange: closing it under a client
 * that is still sending resets it, and the client then reports the reset
 * rather than the answer (a streaming fetch lost 6 answers in 10 so).
 * The body is never held: no budget is taken for it. A body that stops
 * coming closes the connection after LINGER_MS.
 */
function refuse(exchange: Exchange, error: MlError): void {
  refuseWith(exchange, errorResponse(error, false));
}

/** As refuse, with an answer already rendered. */
function refuseWith(exchange: Exchange, answer: HttpResponse): void {
  const { request, response, options } = exchange;
  // Not `connection: close`: Node would then destroy the socket as soon
  // as the answer is written, which is the reset this avoids.
  send(response, answer);
  const { socket } = request;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  request.once('end', () => clearTimeout(timer));
  request.on('data', () => undefined);
  request.resume();
  options.logger.info({
    method: request.method, path: splitTarget(request.url ?? '/').path,
    status: answer.status,
  }, 'request');
}

/**
 * Ends a request whose body stopped coming: the answer when the socket
 * can still take it, then the connection, whatever the client does. Its
 * budget share is given back as soon as this returns.
 */
function drop(exchange: Exchange, error: MlError): void {
  const { request, response, options } = exchange;
  const { socket } = request;
  options.logger.info({
    method: request.method, path: splitTarget(request.url ?? '/').path,
    status: error.status,
  }, 'request');
  if (response.headersSent || !socket.writable) {
    socket.destroy();
    return;
  }
  // A client that reads nothing must not keep the socket either.
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  const answer = errorResponse(error, false);
  response.writeHead(answer.status,
    { ...answer.headers, connection: 'close' });
  response.end(answer.body, () => {
    clearTimeout(timer);
    socket.destroy();
  });
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
