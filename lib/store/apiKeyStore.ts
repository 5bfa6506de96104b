/**
 * API keys in the job table: the item layout and every request, built by
 * pure functions, then a thin store that sends them. The layout is the
 * one keys have always had (strings, numbers, a boolean and a list of
 * privilege strings) plus the optional role descriptors, so items
 * written before keep reading back.
 */
import {
  ConditionalCheckFailedException, GetItemCommand, PutItemCommand,
  QueryCommand, UpdateItemCommand,
  type DynamoDBClient, type GetItemCommandInput, type PutItemCommandInput,
  type QueryCommandInput, type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type {
  ApiKeyStore, InvalidateOutcome, RoleDescriptors, StoredApiKey,
} from '../auth/types.js';
import { ApiKeyExistsError } from './errors.js';
import {
  JOBS_INDEX, JOBS_INDEX_PK, JOBS_INDEX_SK, type Item,
} from './items.js';

const KEY_PREFIX = 'APIKEY#';
const KEY_SORT = 'KEY';

/**
 * Key items share the sparse listing index of job CONFIG items under a
 * partition value of their own, sorted by key id: the HTTP role may
 * Query that index but not Scan the table.
 */
export const KEYS_INDEX_PARTITION = 'APIKEYS';

/**
 * Elasticsearch deletes expired keys a week after they expire; the table's
 * TTL attribute (epoch seconds) does the same in AWS. dynalite never
 * deletes, so nothing may rely on the deletion: expiry is always checked
 * against the clock.
 */
const RETENTION_AFTER_EXPIRY_MS = 7 * 24 * 3_600_000;

const num = (value: number) => ({ N: String(value) });

export function keyItemKey(id: string): Item {
  return { pk: { S: `${KEY_PREFIX}${id}` }, sk: { S: KEY_SORT } };
}

export function keyItem(key: StoredApiKey): Item {
  const item: Item = {
    ...keyItemKey(key.id),
    [JOBS_INDEX_PK]: { S: KEYS_INDEX_PARTITION },
    [JOBS_INDEX_SK]: { S: key.id },
    keyId: { S: key.id },
    name: { S: key.name },
    secretHash: { S: key.secretHash },
    privileges: { L: key.privileges.map((privilege) => ({ S: privilege })) },
    creation: num(key.creation),
    invalidated: { BOOL: key.invalidated },
  };
  if (key.expiration !== null) {
    item.expiration = num(key.expiration);
    item.expiresAt = num(Math.ceil(
      (key.expiration + RETENTION_AFTER_EXPIRY_MS) / 1000));
  }
  if (key.invalidation !== null) item.invalidation = num(key.invalidation);
  // A JSON string, as a job's config: it is only ever read whole.
  if (key.roleDescriptors !== null) {
    item.roleDescriptors = { S: JSON.stringify(key.roleDescriptors) };
  }
  return item;
}

export function keyFromItem(item: Item): StoredApiKey {
  const expiration = item.expiration?.N;
  const invalidation = item.invalidation?.N;
  return {
    id: item.keyId?.S ?? '',
    name: item.name?.S ?? '',
    secretHash: item.secretHash?.S ?? '',
    privileges: (item.privileges?.L ?? [])
      .flatMap((value) => value.S === undefined ? [] : [value.S]),
    roleDescriptors: descriptorsFrom(item.roleDescriptors?.S),
    creation: Number(item.creation?.N ?? 0),
    expiration: expiration === undefined ? null : Number(expiration),
    invalidated: item.invalidated?.BOOL === true,
    invalidation: invalidation === undefined ? null : Number(invalidation),
  };
}

/**
 * Items written before descriptors were kept have none. They are only
 * shown, never used to grant anything (`privileges` is), so one that does
 * not parse is shown as absent rather than failing every use of the key.
 */
function descriptorsFrom(json: string | undefined): RoleDescriptors | null {
  if (json === undefined) return null;
  try {
    return JSON.parse(json) as RoleDescriptors;
  } catch {
    return null;
  }
}

export function putKeyRequest(
  tableName: string, key: StoredApiKey,
): PutItemCommandInput {
  return {
    TableName: tableName,
    Item: keyItem(key),
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

export function getKeyRequest(
  tableName: string, id: string,
): GetItemCommandInput {
  return { TableName: tableName, Key: keyItemKey(id), ConsistentRead: true };
}

/**
 * Reads the key entries of the listing index. A global index is read
 * eventually consistently (DynamoDB allows no consistent read on one), so
 * in AWS a key created or invalidated within about a second may be
 * missing from a listing or shown as it was. The authorizer reads each
 * key by its id, consistently, so this affects only GET listings.
 */
export function listKeysRequest(
  tableName: string, startKey?: Item,
): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: JOBS_INDEX,
    KeyConditionExpression: '#partition = :keys',
    ExpressionAttributeNames: { '#partition': JOBS_INDEX_PK },
    ExpressionAttributeValues: { ':keys': { S: KEYS_INDEX_PARTITION } },
    ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
  };
}

/** Fails its condition when the key is missing or already invalidated. */
export function invalidateKeyRequest(
  tableName: string, id: string, nowMs: number,
): UpdateItemCommandInput {
  return {
    TableName: tableName,
    Key: keyItemKey(id),
    UpdateExpression: 'SET invalidated = :yes, invalidation = :now',
    ConditionExpression: 'attribute_exists(pk) AND invalidated = :no',
    ExpressionAttributeValues: {
      ':yes': { BOOL: true }, ':no': { BOOL: false }, ':now': num(nowMs),
    },
  };
}

export function createApiKeyStore(
  client: DynamoDBClient, tableName: string,
): ApiKeyStore {
  async function getKey(id: string): Promise<StoredApiKey | undefined> {
    const { Item } = await client.send(
      new GetItemCommand(getKeyRequest(tableName, id)));
    return Item === undefined ? undefined : keyFromItem(Item);
  }

  return {
    async putKey(key) {
      try {
        await client.send(new PutItemCommand(putKeyRequest(tableName, key)));
      } catch (error) {
        if (isConditionFailure(error)) throw new ApiKeyExistsError(key.id);
        throw error;
      }
    },

    getKey,

    async listKeys() {
      const keys: StoredApiKey[] = [];
      let startKey: Item | undefined;
      do {
        const page = await client.send(
          new QueryCommand(listKeysRequest(tableName, startKey)));
        for (const item of page.Items ?? []) keys.push(keyFromItem(item));
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);

      return keys.sort((a, b) =>
        a.creation - b.creation || a.id.localeCompare(b.id));
    },

    async invalidateKey(id, nowMs): Promise<InvalidateOutcome> {
      try {
        await client.send(new UpdateItemCommand(
          invalidateKeyRequest(tableName, id, nowMs)));
        return 'invalidated';
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }

      // The failed condition does not say which half failed; one read
      // tells a missing key from one invalidated before.
      const existing = await getKey(id);
      return existing === undefined ? 'missing' : 'already_invalidated';
    },
  };
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException
    || (error as { name?: unknown } | null)?.name
      === 'ConditionalCheckFailedException';
}
