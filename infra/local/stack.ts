import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { pino, type Logger } from 'pino';
import { createHttpHandler } from '../../functions/http.js';
import {
  checkAuthMode, createKeyAccess, readAuthMode, type AuthMode,
  type KeyAccess,
} from '../../lib/auth/index.js';
import { loadConfig, type Config } from '../../lib/config.js';
import { createJobService } from '../../lib/jobs/jobService.js';
import { createApiKeyStore } from '../../lib/store/apiKeyStore.js';
import { createDynamoJobStore } from '../../lib/store/dynamoStore.js';
import { ensureTable } from '../../lib/store/table.js';
import { ensureFirstKey, type FirstKeyOutcome } from './firstKey.js';
import { createLocalServer } from './httpAdapter.js';

export interface LocalStackOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** DynamoDB data persists under `<dataDir>/dynamodb`. */
  dataDir: string;
  /** Settings over those read from the environment. */
  config?: Partial<Config>;
  /** API key checks; default from `ML_AUTH`, else on. */
  auth?: AuthMode;
  logger?: Logger;
}

export interface LocalStack {
  url: string;
  auth: AuthMode;
  /** Where the first API key is; absent while authentication is off. */
  firstKey?: FirstKeyOutcome;
  close(): Promise<void>;
}

/** s3rver accepts only these; dynalite accepts anything. */
const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** How long close() lets requests in flight finish before cutting them. */
const DRAIN_MS = 5_000;

/**
 * The service on one machine: dynalite persisted in LevelDB under
 * `dataDir`, the table created when missing, and the Lambda handler behind
 * a node:http server.
 */
export async function startLocalStack(
  options: LocalStackOptions,
): Promise<LocalStack> {
  const config = { ...loadConfig(), ...options.config };
  const auth = options.auth ?? readAuthMode();
  checkAuthMode(auth, options.host);
  const logger = options.logger ?? pino();
  const dynamoDir = join(options.dataDir, 'dynamodb');
  await mkdir(dynamoDir, { recursive: true });

  const dynamo = dynalite({
    path: dynamoDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0,
  });
  const dynamoPort = await listen(dynamo, 0, '127.0.0.1');
  // The shared client factory (lib/store/clients.ts) does not exist yet,
  // so the client is made here with the local endpoint and credentials.
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${dynamoPort}`,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  const stopDynamo = async () => {
    client.destroy();
    dynamo.closeAllConnections();
    await closeServer(dynamo);
  };

  let server: Server;
  let port: number;
  let firstKey: FirstKeyOutcome | undefined;
  try {
    await ensureTable(client, config.tableName);
    const store = createDynamoJobStore(client, config.tableName);
    const jobs = createJobService({ store, config, now: Date.now });
    let access: KeyAccess | undefined;
    if (auth === 'on') {
      const keyStore = createApiKeyStore(client, config.tableName);
      firstKey = await ensureFirstKey(keyStore, options.dataDir);
      access = createKeyAccess(keyStore);
    }
    const handler = createHttpHandler({ jobs, config, logger, ...access });
    server = createLocalServer(handler,
      { maxBodyBytes: config.maxBodyBytes, logger });
    port = await listen(server, options.port, options.host);
  } catch (error) {
    await stopDynamo();
    throw error;
  }

  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    auth,
    firstKey,
    close: async () => {
      await drain(server);
      await stopDynamo();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
  });
}

/** Stops accepting, closes idle keep-alive sockets, then cuts stragglers. */
async function drain(server: Server): Promise<void> {
  const closing = closeServer(server);
  server.closeIdleConnections();
  const cut = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
  try {
    await closing;
  } finally {
    clearTimeout(cut);
  }
}
