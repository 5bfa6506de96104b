import {
  DynamoDBClient, GetItemCommand, PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, test } from 'vitest';
import { createKeyService } from '../../lib/auth/keyService.js';
import type { StoredApiKey } from '../../lib/auth/types.js';
import {
  createApiKeyStore, invalidateKeyRequest, keyItem, listKeysRequest,
  putKeyRequest,
} from '../../lib/store/apiKeyStore.js';
import { ApiKeyExistsError } from '../../lib/store/errors.js';
import { ensureTable } from '../../lib/store/table.js';

const TABLE = `auth-keys-${randomUUID()}`;
const client = new DynamoDBClient({
  endpoint: inject('dynamoUrl'),
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const store = createApiKeyStore(client, TABLE);

function key(overrides: Partial<StoredApiKey> = {}): StoredApiKey {
  return {
    id: randomUUID(),
    name: 'ingest',
    secretHash: 'scrypt$1024$8$1$c2FsdA==$aGFzaA==',
    privileges: ['manage_ml'],
    roleDescriptors: null,
    creation: 1_700_000_000_000,
    expiration: null,
    invalidated: false,
    invalidation: null,
    ...overrides,
  };
}

beforeAll(async () => {
  await ensureTable(client, TABLE);
});

describe('request building', () => {
  test('a put is keyed APIKEY#{id} / KEY and only creates', () => {
    const request = putKeyRequest('t', key({ id: 'k1' }));
    expect(request.Item).toMatchObject(
      { pk: { S: 'APIKEY#k1' }, sk: { S: 'KEY' } });
    expect(request.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  test('an expiring key gets a TTL a week after it expires, in seconds',
    () => {
      // 1_700_000_000_000 ms + 7 * 86_400_000 ms = 1_700_604_800_000 ms,
      // which is 1_700_604_800 s.
      const request = putKeyRequest('t',
        key({ expiration: 1_700_000_000_000 }));
      expect(request.Item?.expiresAt).toEqual({ N: '1700604800' });
      expect(request.Item?.expiration).toEqual({ N: '1700000000000' });
    });

  test('a key that never expires has no TTL attribute', () => {
    const request = putKeyRequest('t', key());
    expect(request.Item).not.toHaveProperty('expiresAt');
    expect(request.Item).not.toHaveProperty('expiration');
  });

  test('an invalidation requires the key to exist and be valid', () => {
    const request = invalidateKeyRequest('t', 'k1', 5);
    expect(request.Key).toEqual({ pk: { S: 'APIKEY#k1' }, sk: { S: 'KEY' } });
    expect(request.ConditionExpression)
      .toBe('attribute_exists(pk) AND invalidated = :no');
    expect(request.ExpressionAttributeValues).toEqual({
      ':yes': { BOOL: true }, ':no': { BOOL: false }, ':now': { N: '5' },
    });
  });

  test('a key item carries the listing index keys under APIKEYS', () => {
    const request = putKeyRequest('t', key({ id: 'k1' }));
    expect(request.Item).toMatchObject(
      { jobsPk: { S: 'APIKEYS' }, jobsSk: { S: 'k1' } });
  });

  test('role descriptors are kept as one JSON string', () => {
    const request = putKeyRequest('t', key({
      roleDescriptors: { ml: { cluster: ['manage_ml'] } },
    }));
    expect(request.Item?.roleDescriptors)
      .toEqual({ S: '{"ml":{"cluster":["manage_ml"]}}' });
  });

  test('a listing queries the index partition and never scans', () => {
    const request = listKeysRequest('t');
    expect(request.IndexName).toBe('jobs-by-id');
    expect(request.KeyConditionExpression).toBe('#partition = :keys');
    expect(request.ExpressionAttributeNames)
      .toEqual({ '#partition': 'jobsPk' });
    expect(request.ExpressionAttributeValues)
      .toEqual({ ':keys': { S: 'APIKEYS' } });
  });

  test('a listing continues from where the last page stopped', () => {
    const start = { pk: { S: 'APIKEY#k1' }, sk: { S: 'KEY' } };
    expect(listKeysRequest('t')).not.toHaveProperty('ExclusiveStartKey');
    expect(listKeysRequest('t', start).ExclusiveStartKey).toBe(start);
  });

  test('an item has the layout keys were always stored with', () => {
    // The attribute types the document client gave these values: a
    // string S, a number N, a boolean BOOL and an array a list L.
    const item = keyItem(key({
      id: 'k1', privileges: ['monitor_ml', 'manage_ml'], invalidated: true,
      invalidation: 1_700_000_500_000,
    }));
    expect(item).toEqual({
      pk: { S: 'APIKEY#k1' }, sk: { S: 'KEY' },
      jobsPk: { S: 'APIKEYS' }, jobsSk: { S: 'k1' },
      keyId: { S: 'k1' }, name: { S: 'ingest' },
      secretHash: { S: 'scrypt$1024$8$1$c2FsdA==$aGFzaA==' },
      privileges: { L: [{ S: 'monitor_ml' }, { S: 'manage_ml' }] },
      creation: { N: '1700000000000' },
      invalidated: { BOOL: true },
      invalidation: { N: '1700000500000' },
    });
  });
});

describe('the DynamoDB API key store', () => {
  test('reads back a key as it was written', async () => {
    const written = key({ expiration: 1_700_000_100_000 });
    await store.putKey(written);
    expect(await store.getKey(written.id)).toEqual(written);
  });

  test('reads a key item written before the store changed its client',
    async () => {
      // Written as the document client wrote it, attribute by attribute.
      const id = randomUUID();
      await client.send(new PutItemCommand({
        TableName: TABLE,
        Item: {
          pk: { S: `APIKEY#${id}` }, sk: { S: 'KEY' },
          jobsPk: { S: 'APIKEYS' }, jobsSk: { S: id },
          keyId: { S: id }, name: { S: 'old' },
          secretHash: { S: 'scrypt$1024$8$1$c2FsdA==$aGFzaA==' },
          privileges: { L: [{ S: 'manage_ml' }] },
          creation: { N: '1700000000000' }, invalidated: { BOOL: false },
          expiration: { N: '1700086400000' }, expiresAt: { N: '1700691200' },
        },
      }));

      expect(await store.getKey(id)).toEqual({
        id, name: 'old', secretHash: 'scrypt$1024$8$1$c2FsdA==$aGFzaA==',
        privileges: ['manage_ml'], roleDescriptors: null,
        creation: 1_700_000_000_000, expiration: 1_700_086_400_000,
        invalidated: false, invalidation: null,
      });
      expect(await store.invalidateKey(id, 1_700_000_000_001))
        .toBe('invalidated');
    });

  test('reads back the role descriptors a key was made with', async () => {
    const written = key({ roleDescriptors: {
      ml: { cluster: ['manage_ml'] }, reader: { cluster: ['monitor_ml'] },
    } });
    await store.putKey(written);
    expect(await store.getKey(written.id)).toEqual(written);
  });

  test('answers undefined for an unknown id', async () => {
    expect(await store.getKey('no-such-key')).toBeUndefined();
  });

  test('refuses a second key with the same id', async () => {
    const written = key();
    await store.putKey(written);
    await expect(store.putKey({ ...written, name: 'other' }))
      .rejects.toBeInstanceOf(ApiKeyExistsError);
    expect((await store.getKey(written.id))?.name).toBe('ingest');
  });

  test('invalidates once, then reports the key as already invalidated',
    async () => {
      const written = key();
      await store.putKey(written);
      expect(await store.invalidateKey(written.id, 1_700_000_500_000))
        .toBe('invalidated');
      expect(await store.invalidateKey(written.id, 1_700_000_600_000))
        .toBe('already_invalidated');

      const read = await store.getKey(written.id);
      expect(read?.invalidated).toBe(true);
      expect(read?.invalidation).toBe(1_700_000_500_000);
    });

  test('does not create an item when invalidating an unknown id',
    async () => {
      expect(await store.invalidateKey('ghost', 1)).toBe('missing');
      expect(await store.getKey('ghost')).toBeUndefined();
    });

  test('lists keys oldest first and skips items that are not keys',
    async () => {
      const listTable = `auth-list-${randomUUID()}`;
      await ensureTable(client, listTable);
      const listStore = createApiKeyStore(client, listTable);
      await client.send(new PutItemCommand({
        TableName: listTable,
        // A job's CONFIG item lives in the same index, another partition.
        Item: {
          pk: { S: 'JOB#farequote' }, sk: { S: 'CONFIG' },
          jobsPk: { S: 'JOBS' }, jobsSk: { S: 'farequote' },
        },
      }));
      const newer = key({ creation: 2000, name: 'newer' });
      const older = key({ creation: 1000, name: 'older' });
      await listStore.putKey(newer);
      await listStore.putKey(older);

      const names = (await listStore.listKeys()).map((k) => k.name);
      expect(names).toEqual(['older', 'newer']);
    });

  test('stores the hash and never a field holding the secret', async () => {
    const written = key();
    await store.putKey(written);
    const { Item } = await client.send(new GetItemCommand({
      TableName: TABLE,
      Key: { pk: { S: `APIKEY#${written.id}` }, sk: { S: 'KEY' } },
    }));
    expect(Object.keys(Item ?? {}).sort()).toEqual([
      'creation', 'invalidated', 'jobsPk', 'jobsSk', 'keyId', 'name', 'pk',
      'privileges', 'secretHash', 'sk',
    ]);
  });

  test('a key made by the key service leaves no trace of its secret',
    async () => {
      const service = createKeyService(store, {
        scryptCost: { N: 1024, r: 8, p: 1 },
      });
      const creator = {
        keyId: 'admin', keyName: 'admin', privileges: ['all'],
        expiration: null,
      };
      const created = await service.createKey({ name: 'ingest' }, creator);

      const { Item } = await client.send(new GetItemCommand({
        TableName: TABLE,
        Key: { pk: { S: `APIKEY#${created.id}` }, sk: { S: 'KEY' } },
      }));
      const raw = JSON.stringify(Item);
      expect(raw).not.toContain(created.api_key);
      expect(raw).not.toContain(created.encoded);
      expect(Item?.secretHash?.S).not.toBe(created.api_key);
      expect(Item?.secretHash?.S).toMatch(/^scrypt\$/);
    });
});
