/**
 * Every DynamoDB request the job store sends, built by pure functions from
 * the store's inputs. Each write carries a condition, so a lost race shows
 * up as a ConditionalCheckFailedException and never as an overwrite.
 */
import type {
  DeleteItemCommandInput,
  GetItemCommandInput,
  PutItemCommandInput,
  QueryCommandInput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { CountingState } from '../counting/types.js';
import type { JobConfig } from '../jobs/jobConfig.js';
import {
  type Item, CONFIG_SK, JOBS_INDEX, JOBS_INDEX_PARTITION, JOBS_INDEX_PK,
  OBJECT_SK_PREFIX, STATE_SK, configItem, jobPk, keyOf, newStateItem,
} from './items.js';
import type { StateChanges } from './types.js';

const num = (value: number) => ({ N: String(value) });

export function putNewStateRequest(
  tableName: string, jobId: string, counting: CountingState,
): PutItemCommandInput {
  return {
    TableName: tableName,
    Item: newStateItem(jobId, counting),
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/**
 * Replaces a STATE item left without CONFIG by a crash, on condition that
 * nobody wrote it since it was read at `seenVersion` and nobody holds its
 * lease: a delete between removing CONFIG and STATE holds it.
 */
export function replaceLeftoverStateRequest(
  tableName: string, jobId: string, counting: CountingState,
  seenVersion: number, nowMs: number,
): PutItemCommandInput {
  return {
    TableName: tableName,
    Item: newStateItem(jobId, counting),
    ConditionExpression: 'version = :seen AND '
      + '(attribute_not_exists(leaseOwner) OR leaseExpiresAt < :now)',
    ExpressionAttributeValues: { ':seen': num(seenVersion), ':now': num(nowMs) },
  };
}

export function putConfigRequest(
  tableName: string, config: JobConfig,
): PutItemCommandInput {
  return {
    TableName: tableName,
    Item: configItem(config),
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

export function getItemRequest(
  tableName: string, jobId: string, sk: string,
): GetItemCommandInput {
  return { TableName: tableName, Key: keyOf(jobId, sk), ConsistentRead: true };
}

/** One page of CONFIG items from the sparse index, in job id order. */
export function listJobsRequest(
  tableName: string, startKey?: Item,
): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: JOBS_INDEX,
    KeyConditionExpression: '#p = :p',
    ExpressionAttributeNames: { '#p': JOBS_INDEX_PK },
    ExpressionAttributeValues: { ':p': { S: JOBS_INDEX_PARTITION } },
    ScanIndexForward: true,
    ExclusiveStartKey: startKey,
  };
}

/** One page of the keys of every item of a job. */
export function jobItemKeysRequest(
  tableName: string, jobId: string, startKey?: Item,
): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': { S: jobPk(jobId) } },
    ProjectionExpression: 'pk, sk',
    ConsistentRead: true,
    ExclusiveStartKey: startKey,
  };
}

/**
 * Takes the lease when nobody holds it, the holder's expiry has passed, or
 * the holder is `owner` itself: an S3 object's ingestion keeps the lease
 * between Lambda turns under an owner id derived from the object, so that
 * its next turn takes it back while everyone else waits. `ALL_OLD` on a
 * failed condition tells who holds it (DynamoDB returns the item; dynalite
 * does not, so the store reads it when it is missing).
 */
export function acquireLeaseRequest(
  tableName: string, jobId: string, owner: string, nowMs: number,
  ttlMs: number,
): UpdateItemCommandInput {
  return {
    TableName: tableName,
    Key: keyOf(jobId, STATE_SK),
    UpdateExpression:
      'SET leaseOwner = :owner, leaseExpiresAt = :expires, '
      + 'version = version + :one',
    ConditionExpression:
      'attribute_exists(pk) AND (attribute_not_exists(leaseOwner) '
      + 'OR leaseExpiresAt < :now OR leaseOwner = :owner)',
    ExpressionAttributeValues: {
      ':owner': { S: owner },
      ':expires': num(nowMs + ttlMs),
      ':one': num(1),
      ':now': num(nowMs),
    },
    ReturnValues: 'ALL_NEW',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

export interface CommitOptions {
  release: boolean;
  nowMs: number;
  ttlMs: number;
  /**
   * Names this one write; kept on the item so that a writer whose reply was
   * lost (the SDK retries, and the retry fails the version condition) can
   * tell its own applied write from another's.
   */
  commitId?: string;
}

/** Writes `changes` if `owner` holds the lease at `expectedVersion`. */
export function commitRequest(
  tableName: string, jobId: string, owner: string, expectedVersion: number,
  changes: StateChanges, options: CommitOptions,
): UpdateItemCommandInput {
  const set = ['version = :next'];
  const remove: string[] = [];
  const names: Record<string, string> = {};
  const values: Item = {
    ':owner': { S: owner },
    ':expected': num(expectedVersion),
    ':next': num(expectedVersion + 1),
  };

  if (options.commitId !== undefined) {
    set.push('lastCommit = :commit');
    values[':commit'] = { S: options.commitId };
  }

  if (changes.status !== undefined) {
    // `status` is a reserved word in expressions.
    set.push('#status = :status');
    names['#status'] = 'status';
    values[':status'] = { S: changes.status };
  }
  if (changes.counting !== undefined) {
    set.push('counting = :counting');
    values[':counting'] = { S: JSON.stringify(changes.counting) };
  }
  if (changes.openedAt === null) remove.push('openedAt');
  if (typeof changes.openedAt === 'number') {
    set.push('openedAt = :openedAt');
    values[':openedAt'] = num(changes.openedAt);
  }
  if (changes.ingest === null) remove.push('ingest');
  if (changes.ingest !== undefined && changes.ingest !== null) {
    set.push('ingest = :ingest');
    values[':ingest'] = { S: JSON.stringify(changes.ingest) };
  }
  if (options.release) remove.push('leaseOwner', 'leaseExpiresAt');
  if (!options.release) {
    set.push('leaseExpiresAt = :expires');
    values[':expires'] = num(options.nowMs + options.ttlMs);
  }

  const removal = remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : '';
  return {
    TableName: tableName,
    Key: keyOf(jobId, STATE_SK),
    UpdateExpression: `SET ${set.join(', ')}${removal}`,
    ConditionExpression: 'leaseOwner = :owner AND version = :expected',
    ExpressionAttributeNames:
      Object.keys(names).length > 0 ? names : undefined,
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW',
  };
}

/**
 * Drops `owner`'s lease. With `expectedVersion`, only if nobody wrote since:
 * two deliveries of one S3 event share an owner id, and the one that lost
 * must not drop the lease the other took over.
 */
export function releaseLeaseRequest(
  tableName: string, jobId: string, owner: string, expectedVersion?: number,
): UpdateItemCommandInput {
  const values: Item = { ':owner': { S: owner }, ':one': num(1) };
  let condition = 'leaseOwner = :owner';
  if (expectedVersion !== undefined) {
    condition += ' AND version = :expected';
    values[':expected'] = num(expectedVersion);
  }
  return {
    TableName: tableName,
    Key: keyOf(jobId, STATE_SK),
    UpdateExpression:
      'SET version = version + :one REMOVE leaseOwner, leaseExpiresAt',
    ConditionExpression: condition,
    ExpressionAttributeValues: values,
  };
}

/**
 * A write that only proves `owner` still holds the lease, before a delete
 * removes items that carry no lease of their own.
 */
/**
 * The first write of a delete, while the lease is still held: it marks the
 * job as going, so that what a crash part-way leaves is known for what it
 * is (see JobStateItem.deleting).
 */
export function markDeletingRequest(
  tableName: string, jobId: string, owner: string,
): UpdateItemCommandInput {
  return {
    TableName: tableName,
    Key: keyOf(jobId, STATE_SK),
    UpdateExpression: 'SET version = version + :one, deleting = :yes',
    ConditionExpression: 'leaseOwner = :owner',
    ExpressionAttributeValues: {
      ':owner': { S: owner }, ':one': num(1), ':yes': { BOOL: true },
    },
  };
}

export function deleteStateRequest(
  tableName: string, jobId: string, owner: string,
): DeleteItemCommandInput {
  return {
    TableName: tableName,
    Key: keyOf(jobId, STATE_SK),
    ConditionExpression: 'leaseOwner = :owner',
    ExpressionAttributeValues: { ':owner': { S: owner } },
  };
}

/**
 * Removes a CONFIG or OBJECT item. Unconditional on purpose: the caller has
 * just proved it holds the lease, and removing an item that is already
 * gone is what a retry after a crash must be allowed to do.
 */
export function deleteItemRequest(
  tableName: string, key: Item,
): DeleteItemCommandInput {
  return { TableName: tableName, Key: key };
}

/** The order in which `deleteJob` removes a job's items (see items.ts). */
export function deletionRank(sk: string): number {
  if (sk.startsWith(OBJECT_SK_PREFIX)) return 0;
  if (sk === CONFIG_SK) return 2;
  if (sk === STATE_SK) return 3;
  return 1;
}
