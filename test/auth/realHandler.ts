import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { pino } from 'pino';
import { createHttpHandler } from '../../functions/http.js';
import { createKeyAccess } from '../../lib/auth/keyAccess.js';
import { createKeyService } from '../../lib/auth/keyService.js';
import type { ApiKeyPrincipal } from '../../lib/auth/types.js';
import { loadConfig, type Config } from '../../lib/config.js';
import { createJobService } from '../../lib/jobs/jobService.js';
import { createApiKeyStore } from '../../lib/store/apiKeyStore.js';
import { createDynamoJobStore } from '../../lib/store/dynamoStore.js';
import { ensureTable } from '../../lib/store/table.js';
import { dynamoClientFor, uniqueTableName } from '../store/fixtures.js';

/** Cheap hashing: these tests make many keys and try wrong secrets. */
export const TEST_SCRYPT_COST = { N: 1024, r: 8, p: 1 };

/** Makes keys directly, as an administrator would through the API. */
export const ADMIN: ApiKeyPrincipal = {
  keyId: 'admin', keyName: 'admin', privileges: ['all'], expiration: null,
};

export interface RealHandlerOptions {
  config?: Partial<Config>;
  /** Epoch ms seen by key checks and key creation. */
  now?: () => number;
  /** Without keys: the handler as the local stack runs it with auth off. */
  auth?: 'on' | 'off';
  /** How long verified keys are trusted; 0 (every request reads) unless set. */
  cacheMs?: number;
}

/**
 * The Lambda handler over a fresh table in the test run's dynalite, with
 * the real job service, key store, authorizer and key service, and a
 * logger whose lines the test can read.
 */
export async function startRealHandler(
  dynamoUrl: string, options: RealHandlerOptions = {},
) {
  const client = dynamoClientFor(dynamoUrl);
  const tableName = uniqueTableName('authwire');
  await ensureTable(client, tableName);
  const config = {
    ...loadConfig({}), tableName, leaseWaitMs: 300, ...options.config,
  };
  const now = options.now ?? Date.now;

  const jobs = createJobService({
    store: createDynamoJobStore(client, tableName), config, now: Date.now,
  });
  const keyStore = createApiKeyStore(client, tableName);
  const keyOptions = { now, scryptCost: TEST_SCRYPT_COST };
  const access = createKeyAccess(keyStore,
    { authorizer: { now, cacheMs: options.cacheMs ?? 0 }, keys: keyOptions });

  const lines: string[] = [];
  const logger = pino({ base: undefined }, {
    write: (line: string) => { lines.push(line); },
  });
  const handler = createHttpHandler({
    jobs, config, logger, ...(options.auth === 'off' ? {} : access),
  });

  return {
    handler,
    jobs,
    keyStore,
    keys: createKeyService(keyStore, keyOptions),
    /** Every log line written so far, as raw text. */
    lines,
    close: () => client.destroy(),
  };
}

export interface EventOptions {
  query?: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
}

/** An API Gateway HTTP API (2.0) event, as Lambda receives it. */
export function apiEvent(
  method: string, path: string, options: EventOptions = {},
): APIGatewayProxyEventV2 {
  const body = options.body ?? '';
  const binary = typeof body !== 'string';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: options.query ?? '',
    headers: options.headers ?? {},
    isBase64Encoded: binary,
    body: binary ? Buffer.from(body).toString('base64') : body,
    requestContext: {
      accountId: '123456789012', apiId: 'api', domainName: 'example.com',
      domainPrefix: 'example', requestId: 'req', routeKey: '$default',
      stage: '$default', time: '03/Dec/2026:18:00:00 +0000', timeEpoch: 0,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1',
        userAgent: 'test' },
    },
  };
}

export const withKey = (encoded: string) =>
  ({ authorization: `ApiKey ${encoded}` });

export function bodyOf(result: { body?: string }): any {
  return JSON.parse(result.body ?? '');
}
