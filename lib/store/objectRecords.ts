/**
 * The `JOB#{id}` / `OBJECT#{key}#{etag}` items: one per S3 object version
 * seen for a job, from its event (queued) to its end (done or failed).
 * A finished record never changes again, which is what makes a repeated
 * event for the same object version a no-op.
 */
import {
  type DynamoDBClient,
  type PutItemCommandInput,
  type QueryCommandInput,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { DataCounts } from '../counting/types.js';
import { type Item, OBJECT_SK_PREFIX, jobPk, keyOf } from './items.js';

export type ObjectState = 'queued' | 'ingesting' | 'done' | 'failed';

export interface ObjectRecord {
  jobId: string;
  /** The full S3 key, `jobs/{job_id}/...`. */
  key: string;
  etag: string;
  state: ObjectState;
  /** Object size; for a `.gz` object the compressed size. */
  bytesTotal: number;
  bytesDone: number;
  /** The object's own counts: the upload's response, or so far. */
  counts: DataCounts | null;
  error: string | null;
  receivedAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

export interface ObjectRecords {
  get(jobId: string, key: string, etag: string):
    Promise<ObjectRecord | undefined>;
  /** Writes a queued record unless one exists; never throws for that. */
  noteQueued(record: ObjectRecord): Promise<void>;
  /**
   * Writes a done or failed record unless the version already has one.
   * Resolves false when it had: the first end recorded stays.
   */
  finish(record: ObjectRecord): Promise<boolean>;
  /** Every record of the job in key order, then ETag order. */
  list(jobId: string): Promise<ObjectRecord[]>;
}

export const objectSk = (key: string, etag: string): string =>
  `${OBJECT_SK_PREFIX}${key}#${etag}`;

export function putQueuedRequest(
  tableName: string, record: ObjectRecord,
): PutItemCommandInput {
  return {
    TableName: tableName,
    Item: recordItem(record),
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

export function putFinishedRequest(
  tableName: string, record: ObjectRecord,
): PutItemCommandInput {
  return {
    TableName: tableName,
    Item: recordItem(record),
    ConditionExpression:
      'attribute_not_exists(pk) OR NOT (#state IN (:done, :failed))',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: {
      ':done': { S: 'done' }, ':failed': { S: 'failed' },
    },
  };
}

export function listObjectsRequest(
  tableName: string, jobId: string, startKey?: Item,
): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: {
      ':pk': { S: jobPk(jobId) }, ':prefix': { S: OBJECT_SK_PREFIX },
    },
    ConsistentRead: true,
    ExclusiveStartKey: startKey,
  };
}

function recordItem(record: ObjectRecord): Item {
  return {
    ...keyOf(record.jobId, objectSk(record.key, record.etag)),
    // The record as one JSON string: it is always read and written whole.
    record: { S: JSON.stringify(record) },
    state: { S: record.state },
  };
}

function recordFromItem(item: Item): ObjectRecord {
  const text = item.record?.S;
  if (text === undefined) throw new Error('object item lacks its record');
  return JSON.parse(text) as ObjectRecord;
}

export function createObjectRecords(
  client: DynamoDBClient, tableName: string,
): ObjectRecords {
  return {
    async get(jobId, key, etag) {
      const output = await client.send(new GetItemCommand({
        TableName: tableName,
        Key: keyOf(jobId, objectSk(key, etag)),
        ConsistentRead: true,
      }));
      return output.Item === undefined ? undefined
        : recordFromItem(output.Item);
    },

    async noteQueued(record) {
      await conditional(() => client.send(
        new PutItemCommand(putQueuedRequest(tableName, record))));
    },

    finish(record) {
      return conditional(() => client.send(
        new PutItemCommand(putFinishedRequest(tableName, record))));
    },

    async list(jobId) {
      const records: ObjectRecord[] = [];
      let startKey: Item | undefined;
      do {
        const page = await client.send(
          new QueryCommand(listObjectsRequest(tableName, jobId, startKey)));
        for (const item of page.Items ?? []) {
          records.push(recordFromItem(item));
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      return records;
    },
  };
}

/** Runs a conditional write; false when its condition failed. */
async function conditional(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    const name = (error as { name?: unknown } | null)?.name;
    if (name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
