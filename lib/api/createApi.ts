import type { Config } from '../config.js';
import { MlError } from '../errors.js';
import { ObjectReader } from '../jobs/configReader.js';
import { validateJobId } from '../jobs/jobConfig.js';
import type { JobService } from '../jobs/types.js';
import type { UploadService } from '../jobs/uploadService.js';
import {
  bodyNotSupported, bodyRequired, responseFormatUnsupported,
} from './apiErrors.js';
import {
  type BodyLimits, compressionOf, decodeBody,
} from './bodyDecoder.js';
import { checkContentType } from './contentType.js';
import { filterResponse } from './filterPath.js';
import { readJsonBody } from './jsonBody.js';
import {
  bodyArgs, checkQueryParams, parseFlag, queryArgs,
} from './params.js';
import { bodyLimitsOf, checkRequestTarget } from './requestLimits.js';
import {
  errorResponse, jsonResponse, methodNotAllowedResponse, noHandlerResponse,
  PRODUCT_HEADERS,
} from './responses.js';
import { createRouter, type RouteMatch } from './router.js';
import { ROUTES, type Args, type RouteSpec } from './routes.js';
import { keyContextFor, type KeyManagement } from './securityRoutes.js';
import type { Authorizer, HttpRequest, HttpResponse } from './types.js';

export interface ApiDeps {
  jobs: JobService;
  /** The S3 upload path (`_upload`, `_uploads`); optional. */
  uploads?: UploadService;
  authorizer?: Authorizer;
  /** Serves `/_security/api_key`; without it those routes refuse. */
  keyManagement?: KeyManagement;
  config: Pick<Config, 'maxBodyBytes'>;
  /** Sees every error that is answered as a bare 500, to log it. */
  onUnexpectedError?: (error: unknown) => void;
}

export type Api = (request: HttpRequest) => Promise<HttpResponse>;

const matchRoute = createRouter(ROUTES);

/**
 * The REST layer: routing, authorization, parameter and body checks,
 * then one JobService call rendered as Elasticsearch renders it. Checks
 * run in the order of spec 2.1: size, authorization, content type, query
 * parameters, job id, and only then the body and the job itself.
 */
export function createApi(deps: ApiDeps): Api {
  return async (request) => {
    const pretty = wantsPretty(request.query);
    try {
      return await handle(request, deps, pretty);
    } catch (error) {
      return errorResponse(error, pretty, deps.onUnexpectedError);
    }
  };
}

/** The job a request names, for logs; undefined for other routes. */
export function jobIdOf(method: string, path: string): string | undefined {
  const match = matchRoute(method.toUpperCase(), path);
  return match.kind === 'route' ? match.pathParams.job_id : undefined;
}

/**
 * The body limit of the route a request is for, so that a server that
 * reads bodies itself (the local one) can stop at it. A path no route
 * has keeps the largest limit, and is answered by the API as usual.
 */
export function bodyLimitsFor(
  method: string, path: string, maxBodyBytes: number,
): BodyLimits {
  const match = matchRoute(method.toUpperCase(), path);
  if (match.kind !== 'route') {
    return bodyLimitsOf({ body: 'data' }, maxBodyBytes);
  }
  const { route, pathParams } = match;
  return bodyLimitsOf(route, maxBodyBytes,
    route.singleJobId ? pathParams.job_id : undefined);
}

/** Who a request's API key is, or MlError 401 (lib/auth's authorizer). */
export type Authenticate = (request: HttpRequest) => Promise<unknown>;

/**
 * What the API would answer a request with, decided from its line and
 * headers alone, or undefined when only the API itself can answer it. A
 * server that reads bodies itself (the local one) asks this before it
 * takes in a body, as API Gateway's authorizer decides before the Lambda
 * sees one, so that requests without a valid key hold no memory: a 401
 * for a route whose key does not authenticate, and the answer to a path
 * no route has, which needs no key and no body. The checks keep the
 * API's order; a body over its route's limit the server refuses itself.
 * Privileges are left to the API, which authorizes again from its cache.
 */
export async function refusalBeforeBody(
  authenticate: Authenticate,
  head: Omit<HttpRequest, 'body' | 'query'> & { rawQuery: string },
): Promise<HttpResponse | undefined> {
  try {
    checkRequestTarget(head.path, head.rawQuery);
  } catch {
    return undefined;
  }
  const query = new URLSearchParams(head.rawQuery);
  const request: HttpRequest = { method: head.method, path: head.path,
    query, headers: head.headers, body: new Uint8Array(0) };
  const match = matchRoute(head.method.toUpperCase(), head.path);
  if (match.kind !== 'route') {
    return answerUnrouted(request, match, wantsPretty(query));
  }

  try {
    await authenticate(request);
  } catch (error) {
    if (error instanceof MlError && error.status === 401) {
      return errorResponse(error, wantsPretty(query));
    }
  }
  return undefined;
}

async function handle(
  request: HttpRequest, deps: ApiDeps, pretty: boolean,
): Promise<HttpResponse> {
  const method = request.method.toUpperCase();
  const match = matchRoute(method, request.path);
  if (match.kind !== 'route') return answerUnrouted(request, match, pretty);

  const { route, pathParams } = match;
  const jobId = route.singleJobId ? pathParams.job_id : undefined;
  const limits = bodyLimitsOf(route, deps.config.maxBodyBytes, jobId);
  const hasBody = request.body.length > 0;
  if (request.body.length > limits.maxBodyBytes) throw limits.tooLarge();

  await deps.authorizer?.authorize(request, route.action);

  // Elasticsearch checks the type after inflating, so a gzip body that
  // inflates to nothing needs no type there; here it does. This matters
  // only to a client that compresses an empty upload and sends no type.
  if (hasBody) {
    checkContentType(request.headers['content-type'], route.body === 'data');
  }

  const paramsInBody = hasBody && route.bodyArgs !== undefined;
  checkQueryParams(request.path, request.query,
    paramsInBody ? [] : route.params);
  const human = parseFlag(request.query.get('human') ?? undefined, false);
  checkFormat(request.query.get('format'));

  if (jobId !== undefined) validateJobId(jobId);

  if (hasBody && route.body === 'none') {
    throw bodyNotSupported(method, request.path);
  }

  const compression = hasBody
    ? compressionOf(request.headers['content-encoding'], request.body)
    : undefined;
  const data = decodeBody(request.body, compression, limits);
  const { json, args } = route.body === 'json'
    || route.body === 'json-required'
    ? await readArgsAndJson(route, data, request.query)
    : { json: undefined, args: queryArgs(request.query) };

  const result = await route.call({
    jobs: deps.jobs, uploads: deps.uploads, pathParams, args,
    render: { human }, json, data,
    keys: keyContextFor(deps.keyManagement, request),
  });

  const filterPath = request.query.get('filter_path');
  const body = filterPath ? filterResponse(result, filterPath) : result;
  return jsonResponse(route.status, body, pretty);
}

function answerUnrouted(
  request: HttpRequest, match: Exclude<RouteMatch, { kind: 'route' }>,
  pretty: boolean,
): HttpResponse {
  const method = request.method.toUpperCase();
  const allowed = match.kind === 'other-methods' ? match.allowed : [];
  if (method === 'OPTIONS') {
    const headers: Record<string, string> = { ...PRODUCT_HEADERS };
    if (allowed.length > 0) headers.allow = allowed.join(',');
    return { status: 200, headers, body: '' };
  }

  // Elasticsearch prints the URI with its query string in both answers.
  // HttpRequest keeps no raw query, so it is printed re-encoded: a bare
  // `?human` shows as `?human=`. Only the message text differs.
  const query = request.query.toString();
  const uri = query === '' ? request.path : `${request.path}?${query}`;
  if (match.kind === 'none') return noHandlerResponse(uri, method, pretty);
  return methodNotAllowedResponse(uri, method, allowed, pretty);
}

async function readArgsAndJson(
  route: RouteSpec, data: AsyncIterable<Uint8Array>, query: URLSearchParams,
): Promise<{ json: unknown; args: Args }> {
  const json = await readJsonBody(data);
  if (json === undefined) {
    if (route.body === 'json-required') throw bodyRequired();
    return { json, args: queryArgs(query) };
  }
  if (route.bodyArgs === undefined) return { json, args: queryArgs(query) };

  const { parser, fields } = route.bodyArgs;
  return { json, args: bodyArgs(new ObjectReader(parser, json, fields)) };
}

/** `?pretty` and `?pretty=true` indent; only `?pretty=false` does not. */
function wantsPretty(query: URLSearchParams): boolean {
  const value = query.get('pretty');
  return value !== null && value !== 'false';
}

/** Only JSON is produced; `error_trace` is accepted, traces never sent. */
function checkFormat(format: string | null): void {
  if (format === null || format.toLowerCase() === 'json') return;
  throw responseFormatUnsupported(format);
}
