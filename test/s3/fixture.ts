import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { renderDataCounts } from '../../lib/counting/index.js';
import { loadConfig } from '../../lib/config.js';
import type { IngestDeps, IngestOutcome } from
  '../../lib/jobs/ingestObject.js';
import { ingestObject, needsRedelivery } from
  '../../lib/jobs/ingestObject.js';
import { createJobService } from '../../lib/jobs/jobService.js';
import { createUploadService } from '../../lib/jobs/uploadService.js';
import { createDynamoJobStore } from '../../lib/store/dynamoStore.js';
import { createObjectRecords } from '../../lib/store/objectRecords.js';
import {
  createObjectStore, createS3Client, unquoteEtag,
} from '../../lib/store/objects.js';
import { ensureTable } from '../../lib/store/table.js';
import type { JobStore } from '../../lib/store/types.js';
import { dynamoClientFor, uniqueTableName } from '../store/fixtures.js';

export const dynamo = dynamoClientFor(inject('dynamoUrl'));
export const s3 = createS3Client({ endpoint: inject('s3Url') });
export const bucket = inject('s3Bucket');
export const tableName = uniqueTableName('s3');
export const config = { ...loadConfig({}), tableName, bucketName: bucket,
  leaseWaitMs: 300 };
export const store = createDynamoJobStore(dynamo, tableName);
export const records = createObjectRecords(dynamo, tableName);
export const objects = createObjectStore(s3, bucket);
export const jobs = createJobService({ store, config, now: Date.now });
export const uploads = createUploadService({ store, records, objects,
  now: Date.now, urlTtlSec: 900 });

export const setUpTable = () => ensureTable(dynamo, tableName);

/**
 * Ingest deps over the shared stand-ins; `store` may be a failing proxy.
 * An object of more than one chunk is counted on a thread of its own, as
 * the local stack counts it; `countingThread: false` counts it inline, as
 * the Lambda function does.
 */
export function ingestDeps(
  chunkBytes: number, jobStore: JobStore = store,
  recordStore = records, countingThread = true,
): IngestDeps {
  return {
    store: jobStore, records: recordStore, objects, config, now: Date.now,
    settings: { chunkBytes, holdMs: 60_000, marginMs: 1_000, countingThread },
  };
}

export const uniqueJobId = (prefix: string): string =>
  `${prefix}-${randomUUID().slice(0, 8)}`;

/** The farequote job with epoch seconds; `extra` adds to data_description. */
export function farequoteJob(extra: Record<string, unknown> = {}) {
  return {
    analysis_config: {
      bucket_span: '3600s',
      detectors: [{ function: 'mean', field_name: 'responsetime',
        by_field_name: 'airline' }],
    },
    data_description: { time_field: 'time', time_format: 'epoch', ...extra },
  };
}

export async function openJob(
  jobId: string, body: object = farequoteJob(),
): Promise<void> {
  await jobs.putJob(jobId, body);
  await jobs.openJob(jobId);
}

/** Puts an object and answers its ETag (the MD5 of its bytes on s3rver). */
export async function putObject(
  key: string, body: Uint8Array | string,
): Promise<string> {
  const output = await s3.send(new PutObjectCommand({
    Bucket: bucket, Key: key, Body: body,
  }));
  return unquoteEtag(output.ETag ?? '');
}

/** A turn that never runs out of time. */
export const endlessTurn = { remainingMs: () => 3_600_000 };

/** A turn whose time runs out after `chunks` commits. */
export function turnOf(chunks: number) {
  let commits = 0;
  return {
    remainingMs: () => {
      commits += 1;
      return commits >= chunks ? 0 : 3_600_000;
    },
  };
}

/** Errors that tests inject into the store or S3 to fail a turn. */
export class InjectedError extends Error {
  constructor(point: string) {
    super(`injected ${point}`);
    this.name = 'InjectedError';
  }
}

/**
 * Delivers the object's event again and again, as the queue would, until
 * a turn ends it. A turn that throws an injected error must come back; any
 * other error is a fault of the code under test and fails the test.
 */
export async function ingestUntilEnd(
  deps: IngestDeps, key: string, etag: string,
  nextTurn: () => { remainingMs: () => number } = () => endlessTurn,
  maxTurns = 500,
): Promise<{ outcome: IngestOutcome; turns: number }> {
  for (let turns = 1; turns <= maxTurns; turns += 1) {
    let outcome: IngestOutcome;
    try {
      outcome = await ingestObject(deps, { key, etag }, nextTurn());
    } catch (error) {
      if (error instanceof InjectedError) continue;
      throw error;
    }
    if (!needsRedelivery(outcome)) return { outcome, turns };
  }
  throw new Error(`no end after ${maxTurns} turns`);
}

/** The job's total data counts as stats render them, minus wall clocks. */
export async function totalsOf(jobId: string) {
  const state = await store.getState(jobId);
  if (state === undefined) throw new Error(`no job ${jobId}`);
  return withoutClocks(renderDataCounts('job',
    state.counting.totals, state.counting.analysedFieldCount,
    { human: false }));
}

/** Counts without the times that come from the wall clock. */
export function withoutClocks(counts: Record<string, unknown>) {
  const { last_data_time: _a, log_time: _b, job_id: _c, ...rest } = counts;
  return rest;
}

async function* bodyOf(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += 65_536) {
    yield bytes.subarray(at, at + 65_536);
  }
}

/** Posts `bytes` as one HTTP upload would; answers its response counts. */
export async function postOnce(jobId: string, bytes: Uint8Array) {
  return await jobs.postData(jobId, bodyOf(bytes),
    { human: false, reset: {} }) as Record<string, unknown>;
}
