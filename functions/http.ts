import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type {
  APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { pino, type Logger } from 'pino';
import { createApi, jobIdOf } from '../lib/api/index.js';
import type {
  Authorizer, HttpRequest, HttpResponse,
} from '../lib/api/types.js';
import { loadConfig, type Config } from '../lib/config.js';
import { createJobService } from '../lib/jobs/jobService.js';
import type { JobService } from '../lib/jobs/types.js';
import {
  type UploadService, createUploadService, DEFAULT_URL_TTL_SEC,
} from '../lib/jobs/uploadService.js';
import { createDynamoJobStore } from '../lib/store/dynamoStore.js';
import { createObjectRecords } from '../lib/store/objectRecords.js';
import { createObjectStore, createS3Client } from '../lib/store/objects.js';

/** The API Gateway HTTP API (payload format 2.0) entry point. */

export interface HttpHandlerDeps {
  jobs: JobService;
  uploads?: UploadService;
  config: Config;
  authorizer?: Authorizer;
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
    config: deps.config,
    onUnexpectedError: (err) => logger.error({ err }, 'unexpected error'),
  });

  return async (event) => {
    const startedMs = performance.now();
    const request = toHttpRequest(event);

    const response = await api(request);

    logger.info({
      method: request.method,
      path: request.path,
      status: response.status,
      durationMs: Math.round(performance.now() - startedMs),
      bytesIn: request.body.length,
      jobId: jobIdOf(request.method, request.path),
      requestId: event.requestContext.requestId,
    }, 'request');
    return toResult(response);
  };
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
 * of the process. The DynamoDB client takes its endpoint, region and
 * credentials from the Lambda environment; it moves to
 * lib/store/clients.ts (createDynamoClient) once that exists.
 */
export const handler: HttpHandler = (event) => {
  built ??= buildHandler();
  return built(event);
};

function buildHandler(): HttpHandler {
  const config = loadConfig();
  const dynamo = new DynamoDBClient({});
  const store = createDynamoJobStore(dynamo, config.tableName);
  const jobs = createJobService({ store, config, now: Date.now });
  const uploads = createUploadService({
    store, now: Date.now, urlTtlSec: DEFAULT_URL_TTL_SEC,
    records: createObjectRecords(dynamo, config.tableName),
    objects: createObjectStore(createS3Client(), config.bucketName),
  });
  return createHttpHandler({ jobs, uploads, config });
}
