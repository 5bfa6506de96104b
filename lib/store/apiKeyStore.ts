import {
  ConditionalCheckFailedException, type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand,
  UpdateCommand, type GetCommandInput, type PutCommandInput,
  type QueryCommandInput, type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type {
  ApiKeyStore, InvalidateOutcome, StoredApiKey,
} from '../auth/types.js';
import { JOBS_INDEX, JOBS_INDEX_PK, JOBS_INDEX_SK } from './items.js';

/** A key id collided with an existing one (a random id: a retry helps). */
export class ApiKeyExistsError extends Error {
  constructor(readonly keyId: string) {
    super(`an API key with id [${keyId}] already exists`);
    this.name = 'ApiKeyExistsError';
  }
}

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

export function keyItemKey(id: string): { pk: string; sk: string } {
  return { pk: `${KEY_PREFIX}${id}`, sk: KEY_SORT };
}

export function buildPutKeyRequest(
  tableName: string, key: StoredApiKey,
): PutCommandInput {
  const item: Record<string, unknown> = {
    ...keyItemKey(key.id),
    [JOBS_INDEX_PK]: KEYS_INDEX_PARTITION,
    [JOBS_INDEX_SK]: key.id,
    keyId: key.id,
    name: key.name,
    secretHash: key.secretHash,
    privileges: [...key.privileges],
    creation: key.creation,
    invalidated: key.invalidated,
  };
  if (key.expiration !== null) {
    item.expiration = key.expiration;
    item.expiresAt = Math.ceil(
      (key.expiration + RETENTION_AFTER_EXPIRY_MS) / 1000);
  }
  if (key.invalidation !== null) item.invalidation = key.invalidation;

  return {
    TableName: tableName,
    Item: item,
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

export function buildGetKeyRequest(
  tableName: string, id: string,
): GetCommandInput {
  return { TableName: tableName, Key: keyItemKey(id), ConsistentRead: true };
}

/**
 * Reads the key entries of the listing index. A global index is read
 * eventually consistently (DynamoDB allows no consistent read on one), so
 * in AWS a key created or invalidated within about a second may be
 * missing from a listing or shown as it was. The authorizer reads each
 * key by its id, consistently, so this affects only GET listings.
 */
export function buildListKeysRequest(
  tableName: string, startKey?: Record<string, unknown>,
): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: JOBS_INDEX,
    KeyConditionExpression: '#partition = :keys',
    ExpressionAttributeNames: { '#partition': JOBS_INDEX_PK },
    ExpressionAttributeValues: { ':keys': KEYS_INDEX_PARTITION },
    ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
  };
}

/** Fails its condition when the key is missing or already invalidated. */
export function buildInvalidateKeyRequest(
  tableName: string, id: string, nowMs: number,
): UpdateCommandInput {
  return {
    TableName: tableName,
    Key: keyItemKey(id),
    UpdateExpression: 'SET invalidated = :yes, invalidation = :now',
    ConditionExpression: 'attribute_exists(pk) AND invalidated = :no',
    ExpressionAttributeValues: { ':yes': true, ':no': false, ':now': nowMs },
  };
}

export function keyFromItem(item: Record<string, unknown>): StoredApiKey {
  return {
    id: String(item.keyId),
    name: String(item.name),
    secretHash: String(item.secretHash),
    privileges: Array.isArray(item.privileges)
      ? item.privileges.map(String) : [],
    creation: Number(item.creation),
    expiration: typeof item.expiration === 'number' ? item.expiration : null,
    invalidated: item.invalidated === true,
    invalidation: typeof item.invalidation === 'number'
      ? item.invalidation : null,
  };
}

export function createApiKeyStore(
  client: DynamoDBClient, tableName: string,
): ApiKeyStore {
  const documents = DynamoDBDocumentClient.from(client);

  async function getKey(id: string): Promise<StoredApiKey | undefined> {
    const { Item } = await documents.send(
      new GetCommand(buildGetKeyRequest(tableName, id)));
    return Item === undefined ? undefined : keyFromItem(Item);
  }

  return {
    async putKey(key) {
      try {
        await documents.send(
          new PutCommand(buildPutKeyRequest(tableName, key)));
      } catch (error) {
        if (isConditionFailure(error)) throw new ApiKeyExistsError(key.id);
        throw error;
      }
    },

    getKey,

    async listKeys() {
      const keys: StoredApiKey[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand(buildListKeysRequest(tableName, startKey)));
        for (const item of page.Items ?? []) keys.push(keyFromItem(item));
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);

      return keys.sort((a, b) =>
        a.creation - b.creation || a.id.localeCompare(b.id));
    },

    async invalidateKey(id, nowMs): Promise<InvalidateOutcome> {
      try {
        await documents.send(
          new UpdateCommand(buildInvalidateKeyRequest(tableName, id, nowMs)));
        return 'invalidated';
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }

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
