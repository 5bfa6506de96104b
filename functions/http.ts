import type {
  APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { pino, type Logger } from 'pino';
import {
  checkRequestTarget, createApi, errorResponse, errorSummary, jobIdOf,
  type KeyManagement,
} from '../lib/api/index.js';
import type {
  Authorizer, HttpRequest, HttpResponse,
} from '../lib/api/types.js';
import { createKeyAccess } from '../lib/auth/index.js';
import { authModeFrom, loadConfig, type Config } from '../lib/config.js';
import { createJobService } from '../lib/jobs/jobService.js';
import type { JobService } from '../lib/jobs/types.js';
import {
  type UploadService, createUploadService, DEFAULT_URL_TTL_SEC,
} from '../lib/jobs/uploadService.js';
import { createApiKeyStore } from '../lib/store/apiKeyStore.js';
import { createDynamoClient } from '../lib/store/clients.js';
import { createDynamoJobStore } from '../lib/store/dynamoStore.js';
import { createObjectRecords } from '../lib/store/objectRecords.js';
import { createObjectStore, createS3Client } from '../lib/store/objects.js';

/** The API Gateway HTTP API (payload format 2.0) entry point. */

export interface HttpHandlerDeps {
  jobs: JobService;
  uploads?: UploadService;
  config: Config;
  authorizer?: Authorizer;
  keyManagement?: KeyManagement;
  logger?: Logger;
}

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
) => Promise<APIGatewayProxyStructuredResultV2>;

export function createHttpHandler(deps: HttpHandlerDeps): HttpHandler {
  const logger = deps.logger ?? pino();
  const api = createApi({
    jobs: deps.jobs,
    uploads: deps.uploads,
    authorizer: deps.authorizer,
    keyManagement: deps.keyManagement,
    config: deps.config,
    onUnexpectedError: (error) =>
      logger.error({ err: errorSummary(error) }, 'unexpected error'),
  });

  // The line names the request but never its headers, query string or
  // body: they may hold a key, a presigned URL's signature or data.
  return async (event) => {
    const startedMs = performance.now();
    const request = toHttpRequest(event);
    // Read now, so the event (a large body in base64) is not kept alive
    // while the body is counted.
    const requestId = event.requestContext.requestId;

    const response = await answer(api, request, event.rawQueryString ?? '');

    logger.info({
      method: request.method,
      path: request.path.slice(0, MAX_LOGGED_PATH_CHARS),
      status: response.status,
      durationMs: Math.round(performance.now() - startedMs),
      bytesIn: request.body.length,
      jobId: jobIdOf(request.method, request.path),
      requestId,
    }, 'request');
    return toResult(response);
  };
}

/** A job id is at most 64 characters; longer paths are cut in logs. */
const MAX_LOGGED_PATH_CHARS = 256;

async function answer(
  api: (request: HttpRequest) => Promise<HttpResponse>,
  request: HttpRequest, rawQuery: string,
): Promise<HttpResponse> {
  try {
    checkRequestTarget(request.path, rawQuery);
  } catch (error) {
    return errorResponse(error, false);
  }
  return api(request);
}

/** Cookies are ignored: nothing here reads them. */
export function toHttpRequest(event: APIGatewayProxyEventV2): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const raw = event.body ?? '';
  const body = event.isBase64Encoded
    ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');

  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    query: new URLSearchParams(event.rawQueryString ?? ''),
    headers,
    body,
  };
}

export function toResult(
  response: HttpResponse,
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.status,
    headers: response.headers,
    body: response.body,
    isBase64Encoded: false,
  };
}

let built: HttpHandler | undefined;

/**
 * Builds its dependencies on the first event and keeps them for the life
 * of the process. The clients take their endpoint, region and credentials
 * from the Lambda environment.
 *
 * The handler itself checks API keys: an API Gateway authorizer could
 * only refuse with its own bodies, not Elasticsearch's envelope.
 */
export const handler: HttpHandler = (event) => {
  built ??= buildHandler();
  return built(event);
};

function buildHandler(): HttpHandler {
  if (authModeFrom() === 'off') {
    throw new Error('ML_AUTH=off is refused in Lambda: it is meant for '
      + 'a local server on loopback only. Remove ML_AUTH or set it to on.');
  }
  const config = loadConfig();
  const client = createDynamoClient();
  const store = createDynamoJobStore(client, config.tableName);
  const jobs = createJobService({ store, config, now: Date.now });
  const uploads = createUploadService({
    store, now: Date.now, urlTtlSec: DEFAULT_URL_TTL_SEC,
    records: createObjectRecords(client, config.tableName),
    objects: createObjectStore(createS3Client(), config.bucketName),
  });
  const access = createKeyAccess(
    createApiKeyStore(client, config.tableName));
  return createHttpHandler({ jobs, uploads, config, ...access });
}
