/**
 * The one reader of the service's environment variables, with the
 * defaults the README's Configuration table lists. Everything else takes
 * its settings from here, so a name, a default or a parse rule is written
 * once.
 */
import type { AuthMode } from './auth/authMode.js';
import type { ReaderLimits } from './counting/types.js';
import type { IngestSettings } from './jobs/ingestMarker.js';

type Env = Record<string, string | undefined>;

/** A variable set to a value it cannot take; the message names both. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Process-wide settings, read once from the environment. */
export interface Config {
  /** DynamoDB table holding jobs, state, leases and keys. */
  tableName: string;
  /** S3 bucket that receives large files under `jobs/{job_id}/`. */
  bucketName: string;
  /** How long an upload waits for a busy job's lease before 429. */
  leaseWaitMs: number;
  /** A lease older than this is taken over: its writer is presumed dead. */
  leaseTtlMs: number;
  /** Largest HTTP body accepted, after decompression. */
  maxBodyBytes: number;
  readerLimits: ReaderLimits;
}

/** Settings of the service on one machine (`ml-intake serve`). */
export interface LocalSettings {
  host: string;
  port: number;
  s3Port: number;
  dataDir: string;
  /**
   * Most body bytes that requests in flight may hold together; undefined
   * when unset, and then twice the body limit (see localInflightBytes).
   */
  maxInflightBytes: number | undefined;
  /** How often the pace of a request body being read is checked. */
  bodyWindowMs: number;
  /**
   * The slowest average a body may keep over a window; a window with
   * fewer bytes ends the request with 408. 0 asks for one byte a window.
   */
  minBodyBytesPerSec: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_TABLE_NAME = 'ml-intake';
export const DEFAULT_BUCKET_NAME = 'ml-intake';
export const DEFAULT_MAX_BODY_BYTES = 100 * MiB;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 9200;
export const DEFAULT_S3_PORT = 4569;
export const DEFAULT_DATA_DIR = './.data';
/**
 * A body must bring 30 KiB every 30 s: 8 kbit/s, below any real link,
 * while a client that sends a byte every 10 s is dropped after 30 s
 * instead of holding its share of the in-flight budget.
 */
export const DEFAULT_BODY_WINDOW_MS = 30_000;
export const DEFAULT_MIN_BODY_BYTES_PER_SEC = 1024;

/**
 * The in-flight budget when `ML_MAX_INFLIGHT_BYTES` is unset: two bodies
 * at the limit. A held body costs up to about 3.2 times its size (its
 * bytes, the event, the handler's decoded bytes, then the counting; see
 * test/infra-local/bodyMemory.test.ts): two 95 MiB posts took the local
 * server up by 520-610 MiB.
 */
export const localInflightBytes = (
  settings: Pick<LocalSettings, 'maxInflightBytes'>, maxBodyBytes: number,
): number => settings.maxInflightBytes ?? 2 * maxBodyBytes;

export function loadConfig(env: Env = process.env): Config {
  return {
    tableName: tableNameFrom(env),
    bucketName: text(env, 'ML_BUCKET', DEFAULT_BUCKET_NAME),
    leaseWaitMs: nonNegativeInt(env, 'ML_LEASE_WAIT_MS', 10_000),
    leaseTtlMs: nonNegativeInt(env, 'ML_LEASE_TTL_MS', 60_000),
    maxBodyBytes: nonNegativeInt(env, 'ML_MAX_BODY_BYTES',
      DEFAULT_MAX_BODY_BYTES),
    readerLimits: {
      maxRecordBytes: nonNegativeInt(env, 'ML_MAX_RECORD_BYTES', 10 * MiB),
      maxDepth: nonNegativeInt(env, 'ML_MAX_DEPTH', 1000),
      maxFieldsPerRecord: nonNegativeInt(env, 'ML_MAX_FIELDS', 10_000),
    },
  };
}

/**
 * The S3 path's settings. `defaults` replaces the built-in defaults of
 * variables that are unset (the local stack holds a lease for less).
 */
export function loadIngestSettings(
  env: Env = process.env, defaults: Partial<IngestSettings> = {},
): IngestSettings {
  return {
    chunkBytes: positiveInt(env, 'ML_CHUNK_BYTES',
      defaults.chunkBytes ?? 8 * MiB),
    // The queue's visibility timeout (1,800 s) plus five minutes.
    holdMs: positiveInt(env, 'ML_INGEST_HOLD_MS',
      defaults.holdMs ?? 35 * 60_000),
    // 8 MiB reads in well under a second and counts in about two.
    marginMs: positiveInt(env, 'ML_INGEST_MARGIN_MS',
      defaults.marginMs ?? 20_000),
    countingThread: onOff(env, 'ML_COUNTING_THREAD',
      defaults.countingThread ?? false),
  };
}

/** What the ingest function knows of its queue; the template sets both. */
export interface QueueSettings {
  /** `ML_INGEST_QUEUE_URL`: where messages are brought back early. */
  queueUrl: string | undefined;
  /** `ML_MAX_RECEIVES`: the queue's maxReceiveCount. */
  maxReceives: number | undefined;
}

export function loadQueueSettings(env: Env = process.env): QueueSettings {
  const receives = env.ML_MAX_RECEIVES;
  return {
    queueUrl: text(env, 'ML_INGEST_QUEUE_URL', '') || undefined,
    maxReceives: receives === undefined || receives === ''
      ? undefined : positiveInt(env, 'ML_MAX_RECEIVES', 0),
  };
}

/**
 * `ML_AUTH`: whether requests must carry an API key (see
 * lib/auth/authMode.ts for where `off` is allowed).
 */
export function authModeFrom(env: Env = process.env): AuthMode {
  return onOff(env, 'ML_AUTH', true) ? 'on' : 'off';
}

export function loadLocalSettings(env: Env = process.env): LocalSettings {
  const inflight = env.ML_MAX_INFLIGHT_BYTES;
  return {
    host: text(env, 'ML_HOST', DEFAULT_HOST),
    port: portNumber(env, 'PORT', DEFAULT_PORT),
    s3Port: portNumber(env, 'S3_PORT', DEFAULT_S3_PORT),
    dataDir: dataDirFrom(env),
    maxInflightBytes: inflight === undefined || inflight === ''
      ? undefined : positiveInt(env, 'ML_MAX_INFLIGHT_BYTES', 0),
    bodyWindowMs: positiveInt(env, 'ML_BODY_WINDOW_MS',
      DEFAULT_BODY_WINDOW_MS),
    minBodyBytesPerSec: nonNegativeInt(env, 'ML_MIN_BODY_BYTES_PER_SEC',
      DEFAULT_MIN_BODY_BYTES_PER_SEC),
  };
}

/** `ML_TABLE` alone, for commands that need nothing else. */
export const tableNameFrom = (env: Env): string =>
  text(env, 'ML_TABLE', DEFAULT_TABLE_NAME);

/** `ML_DATA_DIR` alone, for commands that need nothing else. */
export const dataDirFrom = (env: Env): string =>
  text(env, 'ML_DATA_DIR', DEFAULT_DATA_DIR);

/** An unset or empty variable takes the default. */
function text(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

/** `on` or `off`, in any case; unset or empty takes the default. */
function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '') return fallback;
  if (raw === 'on') return true;
  if (raw === 'off') return false;
  throw new ConfigError(`${name} must be 'on' or 'off', got '${env[name]}'`);
}

function nonNegativeInt(env: Env, name: string, fallback: number): number {
  return integer(env, name, fallback, 0, Number.MAX_SAFE_INTEGER,
    'a non-negative integer');
}

function positiveInt(env: Env, name: string, fallback: number): number {
  return integer(env, name, fallback, 1, Number.MAX_SAFE_INTEGER,
    'a positive integer');
}

/** 0 picks a free port. */
function portNumber(env: Env, name: string, fallback: number): number {
  return integer(env, name, fallback, 0, 65_535, 'a port number (0-65535)');
}

function integer(
  env: Env, name: string, fallback: number, min: number, max: number,
  what: string,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be ${what}, got '${raw}'`);
  }
  return value;
}
