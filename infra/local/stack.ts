import { chmod, mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import type { S3Event } from 'aws-lambda';
import { pino, type Logger } from 'pino';
import { createHttpHandler } from '../../functions/http.js';
import { createS3IngestHandler } from '../../functions/s3-ingest.js';
import {
  checkAuthMode, createKeyAccess, type AuthMode,
  type KeyAccess,
} from '../../lib/auth/index.js';
import {
  authModeFrom, loadConfig, loadIngestSettings, loadLocalSettings,
  localInflightBytes,
  type Config,
} from '../../lib/config.js';
import {
  noteObjectQueued, type IngestDeps,
} from '../../lib/jobs/ingestObject.js';
import { createJobService } from '../../lib/jobs/jobService.js';
import {
  createUploadService, DEFAULT_URL_TTL_SEC,
} from '../../lib/jobs/uploadService.js';
import { createApiKeyStore } from '../../lib/store/apiKeyStore.js';
import { createDynamoClient } from '../../lib/store/clients.js';
import { createDynamoJobStore } from '../../lib/store/dynamoStore.js';
import { createObjectRecords } from '../../lib/store/objectRecords.js';
import {
  createObjectStore, createS3Client, S3RVER_CREDENTIALS,
} from '../../lib/store/objects.js';
import { ensureTable } from '../../lib/store/table.js';
import { ensureFirstKey, type FirstKeyOutcome } from './firstKey.js';
import { createLocalServer } from './httpAdapter.js';
import { startLocalDynamo } from './localDynamo.js';
import {
  objectCreatedEvent, objectsToResume, type ResumeSources,
} from './resumeIngestions.js';
import { isDataInUse } from './dataLock.js';
import { releaseStaleLeases } from './staleLeases.js';
import { createEventBridge, type EventBridge } from './s3Events.js';
import { startS3Server, type S3Server } from './s3Server.js';

export interface LocalStackOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** DynamoDB data persists under `<dataDir>/dynamodb`, S3 under `s3`. */
  dataDir: string;
  /** Local S3 port; default `S3_PORT` (see lib/config.ts); 0: a free one. */
  s3Port?: number;
  /**
   * Most body bytes of HTTP requests in flight together; default
   * `ML_MAX_INFLIGHT_BYTES`, else twice the body limit.
   */
  maxInflightBytes?: number;
  /** Body pace window; default `ML_BODY_WINDOW_MS` (see lib/config.ts). */
  bodyWindowMs?: number;
  /** Slowest body average; default `ML_MIN_BODY_BYTES_PER_SEC`. */
  minBodyBytesPerSec?: number;
  /** Settings of the S3 path over those read from the environment. */
  ingest?: Partial<IngestDeps['settings']>;
  /** Settings over those read from the environment. */
  config?: Partial<Config>;
  /** API key checks; default from `ML_AUTH`, else on. */
  auth?: AuthMode;
  logger?: Logger;
}

export interface LocalStack {
  url: string;
  /** The local DynamoDB endpoint (any credentials). */
  dynamoUrl: string;
  /** The local S3 endpoint (path-style, credentials S3RVER/S3RVER). */
  s3Url: string;
  /** Resolves when every object event received so far is handled. */
  ingestIdle(): Promise<void>;
  /** True while an S3 object is being ingested or waits its turn. */
  ingesting(): boolean;
  auth: AuthMode;
  /** Where the first API key is; absent while authentication is off. */
  firstKey?: FirstKeyOutcome;
  /**
   * Stops taking requests and events; an object being ingested stops at
   * its next commit, and goes on from there at the next start.
   */
  close(): Promise<void>;
}

/**
 * A reason the stack cannot start that the user can act on (a port or
 * the data folder in use), said in one line.
 */
export class LocalStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalStartError';
  }
}

/** How long close() lets requests in flight finish before cutting them. */
const DRAIN_MS = 5_000;

/**
 * A killed local process brings its objects back only when it starts
 * again (see resumeIngestions.ts), not after a visibility timeout, so the
 * lease of an object stopped part-way is held for two minutes only, not
 * for the half hour that covers the queue's visibility timeout in AWS.
 */
const LOCAL_HOLD_MS = 120_000;

/**
 * Deliveries of an object's event before it is recorded failed; lower
 * than AWS's 50 since locally nothing but a fault stops a turn early.
 */
const LOCAL_MAX_RECEIVES = 5;

/**
 * The service on one machine: dynalite persisted in LevelDB under
 * `dataDir`, the table created when missing, the Lambda handler behind
 * a node:http server, and s3rver whose object events feed the ingest
 * handler.
 */
export async function startLocalStack(
  options: LocalStackOptions,
): Promise<LocalStack> {
  const config = { ...loadConfig(), ...options.config };
  const auth = options.auth ?? authModeFrom();
  checkAuthMode(auth, options.host);
  const logger = options.logger ?? pino();
  const dynamoDir = join(options.dataDir, 'dynamodb');
  const s3Dir = join(options.dataDir, 's3');
  await makePrivateDirs(options.dataDir, [dynamoDir, s3Dir]);
  if (await isDataInUse(dynamoDir)) {
    throw new LocalStartError(`the local data in ${options.dataDir} is in `
      + 'use by another ml-intake server; stop it, or start this one with '
      + 'another ML_DATA_DIR');
  }

  const dynamo = await startLocalDynamo(dynamoDir);
  // With no credentials and an empty environment the client takes the
  // stand-in keys of clients.ts, whatever AWS keys the shell holds.
  const client = createDynamoClient({ endpoint: dynamo.url }, {});
  const stopDynamo = async () => {
    client.destroy();
    await dynamo.close();
  };

  let server: Server;
  let port: number;
  let s3: S3Server | undefined;
  let bridge: EventBridge;
  let firstKey: FirstKeyOutcome | undefined;
  try {
    await ensureTable(client, config.tableName);
    const s3Port = options.s3Port ?? loadLocalSettings().s3Port;
    s3 = await startS3Server({
      host: '127.0.0.1', port: s3Port, directory: s3Dir,
      bucketName: config.bucketName,
    }).catch((error: unknown) => {
      throw inUse(error, `the local S3 port ${s3Port}`, 'S3_PORT');
    });
    const s3Client = createS3Client({ endpoint: s3.url, region: 'us-east-1',
      credentials: S3RVER_CREDENTIALS });
    const store = createDynamoJobStore(client, config.tableName);
    const records = createObjectRecords(client, config.tableName);
    const objects = createObjectStore(s3Client, config.bucketName);
    const jobs = createJobService({ store, config, now: Date.now });
    const uploads = createUploadService({ store, records, objects,
      now: Date.now, urlTtlSec: DEFAULT_URL_TTL_SEC });
    const ingest: IngestDeps = {
      store, records, objects, config, now: Date.now,
      settings: {
        ...loadIngestSettings(process.env, {
          holdMs: LOCAL_HOLD_MS, countingThread: availableParallelism() > 1,
        }),
        ...options.ingest,
      },
    };
    bridge = createEventBridge({
      handler: createS3IngestHandler({ ingest, logger,
        maxReceives: LOCAL_MAX_RECEIVES }),
      logger, maxReceives: LOCAL_MAX_RECEIVES,
      onArrival: ({ s3: { object }, eventTime }) => noteObjectQueued(ingest, {
        key: object.key, etag: object.eTag || undefined,
        sizeBytes: object.size ?? 0,
        receivedAt: Date.parse(eventTime) || undefined,
      }),
    });
    // Before anything of this process can take a lease.
    const stale = await releaseStaleLeases(store);
    if (stale.length > 0) {
      logger.info({ jobs: stale.length },
        'released the writer leases a stopped process left');
    }
    await resumeObjects(s3, bridge, { store, records }, config.bucketName,
      logger);
    logger.info({ s3Url: s3.url, bucket: config.bucketName }, 'local s3');
    let access: KeyAccess | undefined;
    if (auth === 'on') {
      const keyStore = createApiKeyStore(client, config.tableName);
      firstKey = await ensureFirstKey(keyStore, options.dataDir);
      access = createKeyAccess(keyStore);
    }
    const handler = createHttpHandler(
      { jobs, uploads, config, logger, ...access });
    const local = loadLocalSettings();
    server = createLocalServer(handler, {
      maxBodyBytes: config.maxBodyBytes, logger, localOnly: auth === 'off',
      authenticate: access === undefined ? undefined
        : (request) => access.authorizer.authenticate(request),
      maxInflightBytes: options.maxInflightBytes
        ?? localInflightBytes(local, config.maxBodyBytes),
      bodyPace: {
        windowMs: options.bodyWindowMs ?? local.bodyWindowMs,
        minBytesPerSec: options.minBodyBytesPerSec ?? local.minBodyBytesPerSec,
      },
    });
    port = await listen(server, options.port, options.host)
      .catch((error: unknown) => {
        throw inUse(error, `port ${options.port} on ${options.host}`, 'PORT');
      });
  } catch (error) {
    await s3?.close();
    await stopDynamo();
    throw error;
  }

  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const s3Server = s3;
  return {
    url: `http://${host}:${port}`,
    dynamoUrl: dynamo.url,
    s3Url: s3Server.url,
    ingestIdle: () => bridge.idle(),
    ingesting: () => bridge.busy(),
    auth,
    firstKey,
    close: async () => {
      await drain(server);
      await bridge.stop();
      await s3Server.close();
      await stopDynamo();
    },
  };
}

/**
 * Delivers the objects a killed process left unfinished (see
 * resumeIngestions.ts) before any event that comes meanwhile, so that a
 * job's older objects keep their place ahead of a new one. A bucket that
 * cannot be listed (a file s3rver cannot read back) costs those objects
 * their second delivery, not the start: one line says so, without the
 * error's text, which names a key.
 */
async function resumeObjects(
  s3: S3Server, bridge: EventBridge,
  sources: Omit<ResumeSources, 'listObjects'>, bucketName: string,
  logger: Logger,
): Promise<void> {
  const meanwhile: S3Event[] = [];
  let resumed = false;
  s3.onEvent((event) => {
    if (resumed) bridge.deliver(event);
    else meanwhile.push(event);
  });
  try {
    const objects = await objectsToResume({ ...sources,
      listObjects: (prefix) => s3.listObjects(prefix) });
    for (const object of objects) {
      logger.info({ key: object.key }, 'delivering an unfinished object');
      bridge.deliver(objectCreatedEvent(object, bucketName));
    }
  } catch (error) {
    logger.error({ code: (error as { code?: string }).code ?? 'unknown' },
      'the local S3 could not be listed at start: objects a stopped '
        + 'process left unfinished are not delivered again');
  } finally {
    resumed = true;
    for (const event of meanwhile.splice(0)) bridge.deliver(event);
  }
}

/**
 * dynalite and s3rver write their files world-readable (0644), and they
 * hold key hashes and every uploaded object. A new data folder is made
 * 0700; the two stores' folders are made or set 0700 also inside a data
 * folder that exists with a wider mode, which is left as it is since it
 * may be any folder the user named.
 */
async function makePrivateDirs(dataDir: string, stores: string[]) {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  for (const dir of stores) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
  }
}

/** A port in use, as a LocalStartError; any other error as it is. */
function inUse(error: unknown, what: string, variable: string): unknown {
  const text = `${(error as { code?: string })?.code ?? ''} `
    + `${(error as Error)?.message ?? ''}`;
  if (!text.includes('EADDRINUSE')) return error;
  return new LocalStartError(`${what} is in use; stop what listens there, `
    + `or set ${variable} to another port (0 picks a free one)`);
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
