/**
 * The layout of a job's items in the one table, and the conversions between
 * them and the store's types. Pure: no SDK client, no clock.
 *
 * A job exists when its CONFIG item exists. `createJob` writes STATE first
 * and CONFIG last, `deleteJob` removes CONFIG before STATE, so CONFIG never
 * exists without STATE; a STATE item alone is what a crash between two
 * writes leaves behind, and the next `createJob` of that id replaces it.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { CountingState } from '../counting/types.js';
import type { JobConfig } from '../jobs/jobConfig.js';
import type { JobStateItem, JobStatus } from './types.js';

export type Item = Record<string, AttributeValue>;

export const CONFIG_SK = 'CONFIG';
export const STATE_SK = 'STATE';
export const OBJECT_SK_PREFIX = 'OBJECT#';

/**
 * Listing jobs reads a sparse global index: only CONFIG items carry its
 * keys, all under one partition value, sorted by job id. A scan would read
 * every STATE and OBJECT item too. One partition serves about 3,000 reads a
 * second, far above how often jobs are listed, and jobs are created rarely.
 */
export const JOBS_INDEX = 'jobs-by-id';
export const JOBS_INDEX_PK = 'jobsPk';
export const JOBS_INDEX_SK = 'jobsSk';
export const JOBS_INDEX_PARTITION = 'JOBS';

export const jobPk = (jobId: string): string => `JOB#${jobId}`;

export const keyOf = (jobId: string, sk: string): Item => ({
  pk: { S: jobPk(jobId) },
  sk: { S: sk },
});

export function configItem(config: JobConfig): Item {
  return {
    ...keyOf(config.job_id, CONFIG_SK),
    [JOBS_INDEX_PK]: { S: JOBS_INDEX_PARTITION },
    [JOBS_INDEX_SK]: { S: config.job_id },
    // A JSON string keeps the key order that GET echoes back; a DynamoDB
    // map would not.
    config: { S: JSON.stringify(config) },
  };
}

export function configFromItem(item: Item): JobConfig {
  return JSON.parse(stringAttr(item, 'config')) as JobConfig;
}

/**
 * The counting state is one JSON string attribute rather than a nested map:
 * it is always read and written whole, and a string is about half the size
 * of the same numbers as typed map entries. DynamoDB limits an item to
 * 400 KB. The largest part is the diagnostics window, max(10,
 * ceil(latency / bucket_span)) counts of a few bytes each, so the item
 * would fit roughly 50,000 buckets of latency; jobs are refused at create
 * beyond 10,000 (analysisConfig.ts), which leaves room for the rest of the
 * state. Moving the window into items of its own would lift the limit.
 */
export function newStateItem(jobId: string, counting: CountingState): Item {
  return {
    ...keyOf(jobId, STATE_SK),
    jobId: { S: jobId },
    status: { S: 'closed' satisfies JobStatus },
    version: { N: '0' },
    counting: { S: JSON.stringify(counting) },
  };
}

export function stateFromItem(item: Item): JobStateItem {
  const owner = item.leaseOwner?.S;
  const expiresAt = item.leaseExpiresAt?.N;
  const openedAt = item.openedAt?.N;
  const ingest = item.ingest?.S;
  return {
    jobId: stringAttr(item, 'jobId'),
    status: stringAttr(item, 'status') as JobStatus,
    version: Number(numberAttr(item, 'version')),
    counting: JSON.parse(stringAttr(item, 'counting')) as CountingState,
    openedAt: openedAt === undefined ? null : Number(openedAt),
    lease: owner === undefined || expiresAt === undefined
      ? null
      : { owner, expiresAt: Number(expiresAt) },
    ingest: ingest === undefined ? null : JSON.parse(ingest),
    ...(item.deleting?.BOOL === true ? { deleting: true as const } : {}),
  };
}

function stringAttr(item: Item, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw new Error(`item lacks string ${name}`);
  return value;
}

function numberAttr(item: Item, name: string): string {
  const value = item[name]?.N;
  if (value === undefined) throw new Error(`item lacks number ${name}`);
  return value;
}
