import type { ReaderLimits } from './counting/types.js';

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

const MiB = 1024 * 1024;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    tableName: env.ML_TABLE ?? 'ml-intake',
    bucketName: env.ML_BUCKET ?? 'ml-intake',
    leaseWaitMs: intFrom(env.ML_LEASE_WAIT_MS, 10_000),
    leaseTtlMs: intFrom(env.ML_LEASE_TTL_MS, 60_000),
    maxBodyBytes: intFrom(env.ML_MAX_BODY_BYTES, 100 * MiB),
    readerLimits: {
      maxRecordBytes: intFrom(env.ML_MAX_RECORD_BYTES, 10 * MiB),
      maxDepth: intFrom(env.ML_MAX_DEPTH, 1000),
      maxFieldsPerRecord: intFrom(env.ML_MAX_FIELDS, 10_000),
    },
  };
}

function intFrom(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`expected a non-negative integer, got '${raw}'`);
  }
  return value;
}
