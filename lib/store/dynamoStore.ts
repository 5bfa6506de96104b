/**
 * The job store on DynamoDB: sends the requests of requests.ts and turns a
 * failed condition into the typed errors of errors.ts. The table layout and
 * the crash rules are described in items.ts.
 */
import { randomUUID } from 'node:crypto';
import {
  type DynamoDBClient,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { CountingState } from '../counting/types.js';
import type { JobConfig } from '../jobs/jobConfig.js';
import {
  JobExistsError, JobMissingError, LeaseBusyError, LeaseLostError,
} from './errors.js';
import {
  type Item, CONFIG_SK, STATE_SK, configFromItem, stateFromItem,
} from './items.js';
import {
  type CommitOptions,
  acquireLeaseRequest, commitRequest, markDeletingRequest,
  deleteItemRequest, deleteStateRequest, deletionRank, getItemRequest,
  jobItemKeysRequest, listJobsRequest, putConfigRequest, putNewStateRequest,
  releaseLeaseRequest, replaceLeftoverStateRequest,
} from './requests.js';
import type { JobStateItem, JobStore, StateChanges } from './types.js';

/**
 * A lease freed between a failed take and the read that follows is tried
 * again; past this many tries the caller sees the lease as busy.
 */
const ACQUIRE_ATTEMPTS = 3;

/**
 * Deletes sent at once: enough to clear a job with thousands of finished
 * objects in seconds without a burst of hundreds of open connections.
 */
const DELETE_BATCH = 25;

export function createDynamoJobStore(
  client: DynamoDBClient, tableName: string,
): JobStore {
  const getItem = async (jobId: string, sk: string) => {
    const output = await client.send(
      new GetItemCommand(getItemRequest(tableName, jobId, sk)));
    return output.Item;
  };

  return {
    async createJob(config: JobConfig, counting: CountingState) {
      const jobId = config.job_id;
      const claimed = await succeeds(() => client.send(
        new PutItemCommand(putNewStateRequest(tableName, jobId, counting))));
      if (!claimed) await replaceLeftover(jobId, counting);

      const stored = await succeeds(() => client.send(
        new PutItemCommand(putConfigRequest(tableName, config))));
      if (!stored) throw new JobExistsError(jobId);
    },

    async getJob(jobId: string) {
      const item = await getItem(jobId, CONFIG_SK);
      return item === undefined ? undefined : configFromItem(item);
    },

    // The index is eventually consistent on AWS: a job created well under
    // a second ago may be missing from a listing, while getJob, which reads
    // the table, already sees it.
    async listJobs() {
      const jobs: JobConfig[] = [];
      let startKey: Item | undefined;
      do {
        const page = await client.send(
          new QueryCommand(listJobsRequest(tableName, startKey)));
        for (const item of page.Items ?? []) jobs.push(configFromItem(item));
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      return jobs;
    },

    // Also answers for a STATE left by a crash (see items.ts); callers
    // decide whether a job exists with getJob.
    async getState(jobId: string) {
      const item = await getItem(jobId, STATE_SK);
      return item === undefined ? undefined : stateFromItem(item);
    },

    async acquireLease(jobId, owner, nowMs, ttlMs) {
      const request = acquireLeaseRequest(
        tableName, jobId, owner, nowMs, ttlMs);
      let holderExpiresAt = nowMs;
      for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt += 1) {
        try {
          const output = await client.send(new UpdateItemCommand(request));
          return stateFromItem(output.Attributes ?? {});
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
          const item = error.Item ?? await getItem(jobId, STATE_SK);
          if (item === undefined) throw new JobMissingError(jobId);
          const { lease } = stateFromItem(item);
          if (lease !== null && lease.expiresAt >= nowMs) {
            throw new LeaseBusyError(jobId, lease.expiresAt);
          }
          holderExpiresAt = lease?.expiresAt ?? nowMs;
        }
      }
      throw new LeaseBusyError(jobId, holderExpiresAt);
    },

    async commit(
      jobId: string, owner: string, expectedVersion: number,
      changes: StateChanges, options: CommitOptions,
    ): Promise<JobStateItem> {
      const commitId = randomUUID();
      const request = commitRequest(tableName, jobId, owner, expectedVersion,
        changes, { ...options, commitId });
      try {
        const output = await client.send(new UpdateItemCommand(request));
        return stateFromItem(output.Attributes ?? {});
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // A retried write whose first attempt was applied fails its own
        // condition: the item then still names this very commit.
        const item = await getItem(jobId, STATE_SK);
        if (item?.lastCommit?.S === commitId) {
          return stateFromItem(item);
        }
        throw new LeaseLostError(jobId, owner);
      }
    },

    async releaseLease(jobId: string, owner: string, expectedVersion) {
      // Losing the lease already released it as far as this writer cares.
      await succeeds(() => client.send(new UpdateItemCommand(
        releaseLeaseRequest(tableName, jobId, owner, expectedVersion))));
    },

    async deleteJob(jobId: string, owner: string) {
      const confirmed = await succeeds(() => client.send(
        new UpdateItemCommand(markDeletingRequest(tableName, jobId, owner))));
      if (!confirmed) {
        const state = await getItem(jobId, STATE_SK);
        if (state === undefined) throw new JobMissingError(jobId);
        throw new LeaseLostError(jobId, owner);
      }

      const keys = await jobItemKeys(jobId);
      await deleteInOrder(keys.filter((key) => key.sk?.S !== STATE_SK));

      const deleted = await succeeds(() => client.send(
        new DeleteItemCommand(deleteStateRequest(tableName, jobId, owner))));
      if (!deleted) throw new LeaseLostError(jobId, owner);
    },
  };

  /**
   * The id's STATE exists. With a CONFIG it is a job; without one it is
   * either left by a crash or another create is between its two writes.
   * Replacing it is right in both cases: the CONFIG write decides which
   * create wins, and both write the same fresh state.
   */
  async function replaceLeftover(jobId: string, counting: CountingState) {
    if (await getItem(jobId, CONFIG_SK) !== undefined) {
      throw new JobExistsError(jobId);
    }
    const leftover = await getItem(jobId, STATE_SK);
    if (leftover === undefined) throw new JobExistsError(jobId);
    const seenVersion = stateFromItem(leftover).version;

    const replaced = await succeeds(() => client.send(new PutItemCommand(
      replaceLeftoverStateRequest(tableName, jobId, counting, seenVersion,
        Date.now()))));
    if (!replaced) throw new JobExistsError(jobId);
  }

  async function jobItemKeys(jobId: string): Promise<Item[]> {
    const keys: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await client.send(
        new QueryCommand(jobItemKeysRequest(tableName, jobId, startKey)));
      keys.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return keys;
  }

  /** OBJECT items first, CONFIG last, so a crash leaves no stray record. */
  async function deleteInOrder(keys: Item[]) {
    const ranks = [...new Set(keys.map(rankOf))].sort((a, b) => a - b);
    for (const rank of ranks) {
      const group = keys.filter((key) => rankOf(key) === rank);
      for (let start = 0; start < group.length; start += DELETE_BATCH) {
        await Promise.all(group.slice(start, start + DELETE_BATCH)
          .map((key) => client.send(
            new DeleteItemCommand(deleteItemRequest(tableName, key)))));
      }
    }
  }
}

const rankOf = (key: Item): number => deletionRank(key.sk?.S ?? '');

function isConditionFailure(
  error: unknown,
): error is ConditionalCheckFailedException {
  return error instanceof ConditionalCheckFailedException
    || (error as { name?: unknown } | null)?.name
      === 'ConditionalCheckFailedException';
}

/** Runs a conditional write; false when its condition failed. */
async function succeeds(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
