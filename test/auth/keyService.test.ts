import { beforeEach, describe, expect, test } from 'vitest';
import type { HttpRequest } from '../../lib/api/types.js';
import { createApiKeyAuthorizer } from '../../lib/auth/authorizer.js';
import {
  createFirstKey, createKeyService, type KeyService,
} from '../../lib/auth/keyService.js';
import type { ApiKeyPrincipal } from '../../lib/auth/types.js';
import { MlError } from '../../lib/errors.js';
import { createMemoryKeyStore, type MemoryKeyStore } from './memoryKeyStore.js';

const CREATED_AT = 1_700_000_000_000;
const CREATOR: ApiKeyPrincipal = {
  keyId: 'admin', keyName: 'admin', privileges: ['manage_security', 'all'],
  expiration: null,
};

let clock = CREATED_AT;
let store: MemoryKeyStore;
let service: KeyService;

beforeEach(() => {
  clock = CREATED_AT;
  store = createMemoryKeyStore();
  service = createKeyService(store, {
    now: () => clock, scryptCost: { N: 1024, r: 8, p: 1 },
  });
});

async function failure(promise: Promise<unknown>): Promise<MlError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(MlError);
  return error as MlError;
}

function withKey(encoded: string): HttpRequest {
  return {
    method: 'GET', path: '/_security/api_key', query: new URLSearchParams(),
    headers: { authorization: `ApiKey ${encoded}` }, body: new Uint8Array(),
  };
}

describe('creating a key', () => {
  test('answers id, name, expiration, api_key and encoded', async () => {
    const created = await service.createKey({
      name: 'ingest', expiration: '1d',
      role_descriptors: { ml: { cluster: ['manage_ml'] } },
    }, CREATOR);

    expect(Object.keys(created))
      .toEqual(['id', 'name', 'expiration', 'api_key', 'encoded']);
    expect(created.name).toBe('ingest');
    // 1d = 86_400_000 ms after the creation time.
    expect(created.expiration).toBe(CREATED_AT + 86_400_000);
    expect(created.encoded).toBe(Buffer.from(
      `${created.id}:${created.api_key}`).toString('base64'));
  });

  test('leaves expiration out for a key that never expires', async () => {
    const created = await service.createKey({ name: 'ingest' }, CREATOR);
    expect(created).not.toHaveProperty('expiration');
  });

  test('keeps the role descriptors as given', async () => {
    const created = await service.createKey({
      name: 'both',
      role_descriptors: {
        a: { cluster: ['monitor_ml'] },
        b: { cluster: ['manage_ml', 'monitor_ml'] },
      },
    }, CREATOR);
    expect(store.items.get(created.id)?.roleDescriptors).toEqual({
      a: { cluster: ['monitor_ml'] },
      b: { cluster: ['manage_ml', 'monitor_ml'] },
    });
  });

  test('keeps a role named __proto__ like any other', async () => {
    const created = await service.createKey(JSON.parse('{"name":"odd",'
      + '"role_descriptors":{"__proto__":{"cluster":["monitor_ml"]}}}'),
    CREATOR);
    const stored = store.items.get(created.id);
    expect(stored?.privileges).toEqual(['monitor_ml']);
    expect(Object.keys(stored?.roleDescriptors ?? {})).toEqual(['__proto__']);
  });

  test('gives the union of the role descriptors cluster lists', async () => {
    const created = await service.createKey({
      name: 'both',
      role_descriptors: {
        a: { cluster: ['monitor_ml'] },
        b: { cluster: ['manage_ml', 'monitor_ml'] },
      },
    }, CREATOR);
    expect(store.items.get(created.id)?.privileges)
      .toEqual(['monitor_ml', 'manage_ml']);
  });

  test.each([
    ['no descriptors', undefined],
    ['an empty descriptor map', {}],
  ])('gives the creator privileges when there are %s', async (_l, rd) => {
    const created = await service.createKey(
      { name: 'inherit', role_descriptors: rd }, CREATOR);
    expect(store.items.get(created.id)?.privileges)
      .toEqual(['manage_security', 'all']);
  });

  test.each([
    [['manage_security'], ['all'], 'all'],
    [['manage_security', 'manage_ml'], ['manage', 'monitor_ml'], 'manage'],
    [['manage_security', 'monitor'], ['manage_ml', 'manage_security'],
      'manage_ml'],
  ])('refuses with 403 a key of %j asking for %j', async (held, asked,
    lacking) => {
    const creator = { ...CREATOR, keyName: 'keymaker', privileges: held };
    const error = await failure(service.createKey({ name: 'more',
      role_descriptors: { r: { cluster: asked } } }, creator));

    expect(error.status).toBe(403);
    expect(error.type).toBe('security_exception');
    expect(error.message).toBe('action '
      + '[cluster:admin/xpack/security/api_key/create] is unauthorized for '
      + 'user [keymaker], a new API key may not have the cluster privileges '
      + `[${lacking}], which its creator does not have`);
    expect(store.items.size).toBe(0);
  });

  test('lets a creator hand out privileges its own include', async () => {
    const creator = { ...CREATOR, privileges: ['manage', 'manage_security'] };
    const created = await service.createKey({ name: 'less',
      role_descriptors: { r: { cluster: ['manage_ml', 'monitor'] } } },
    creator);
    expect(store.items.get(created.id)?.privileges)
      .toEqual(['manage_ml', 'monitor']);
  });

  test.each([
    // The creator expires 60 s after CREATED_AT.
    ['no expiration', undefined, CREATED_AT + 60_000],
    ['a longer one', '1d', CREATED_AT + 60_000],
    ['a shorter one', '30s', CREATED_AT + 30_000],
  ])('gives a key asked with %s of an expiring creator the earlier expiry',
    async (_l, expiration, expected) => {
      const creator = { ...CREATOR, expiration: CREATED_AT + 60_000 };
      const created = await service.createKey(
        { name: 'child', expiration }, creator);
      expect(created.expiration).toBe(expected);
      expect(store.items.get(created.id)?.expiration).toBe(expected);
    });

  test('makes a key the authorizer accepts', async () => {
    const created = await service.createKey({ name: 'ingest',
      role_descriptors: { ml: { cluster: ['manage_ml'] } } }, CREATOR);
    const authorizer = createApiKeyAuthorizer(store, { now: () => clock });
    await expect(authorizer.authorize(withKey(created.encoded),
      'cluster:admin/xpack/ml/job/data/post')).resolves.toBeUndefined();
  });

  test('refuses an unknown cluster privilege', async () => {
    const error = await failure(service.createKey({ name: 'x',
      role_descriptors: { r: { cluster: ['manage_watcher'] } } }, CREATOR));
    expect(error.status).toBe(400);
    expect(error.type).toBe('illegal_argument_exception');
    expect(error.message).toBe('unknown cluster privilege [manage_watcher]. '
      + 'a privilege must be one of the predefined cluster privilege names '
      + '[monitor_ml,manage_ml,monitor,manage_security,manage,all]');
  });

  test('refuses index privileges, which this service does not have',
    async () => {
      const error = await failure(service.createKey({ name: 'x',
        role_descriptors: { r: { indices: [] } } }, CREATOR));
      expect(error.status).toBe(400);
      expect(error.message)
        .toBe('[role [r]] field [indices] is not supported by this service');
    });

  test('refuses a field the API does not have', async () => {
    const error = await failure(
      service.createKey({ name: 'x', colour: 'red' }, CREATOR));
    expect(error.status).toBe(400);
    expect(error.type).toBe('x_content_parse_exception');
    expect(error.message)
      .toBe('[create_api_key_request] unknown field [colour]');
  });

  test('refuses a missing body', async () => {
    const error = await failure(service.createKey(undefined, CREATOR));
    expect(error.status).toBe(400);
    expect(error.message).toBe('request body is required');
  });

  test('refuses an expiration without a unit', async () => {
    const error = await failure(
      service.createKey({ name: 'x', expiration: '10' }, CREATOR));
    expect(error.status).toBe(400);
    expect(error.type).toBe('parse_exception');
    expect(error.message).toBe('failed to parse setting [expiration] with '
      + 'value [10] as a time value: unit is missing or unrecognized');
  });
});

describe('getting keys', () => {
  test('lists every key with its times and never its secret', async () => {
    const first = await service.createKey(
      { name: 'first', expiration: '1h' }, CREATOR);
    clock += 1000;
    const second = await service.createKey({ name: 'second' }, CREATOR);
    clock += 1000;
    await service.invalidateKeys({ ids: [second.id] });

    const { api_keys: keys } = await service.getKeys({});
    // Both took CREATOR's privileges, shown under their own names.
    const roles = (name: string) => ({ [name]: {
      cluster: ['manage_security', 'all'], indices: [], applications: [],
      run_as: [], metadata: {}, transient_metadata: { enabled: true },
    } });
    expect(keys).toEqual([
      { id: first.id, name: 'first', type: 'rest', creation: CREATED_AT,
        expiration: CREATED_AT + 3_600_000, invalidated: false,
        role_descriptors: roles('first') },
      { id: second.id, name: 'second', type: 'rest',
        creation: CREATED_AT + 1000, invalidated: true,
        invalidation: CREATED_AT + 2000, role_descriptors: roles('second') },
    ]);
    const text = JSON.stringify(keys);
    expect(text).not.toContain(first.api_key);
    expect(text).not.toContain(second.api_key);
  });

  test('finds a key by id and answers an empty list for an unknown one',
    async () => {
      const created = await service.createKey({ name: 'ingest' }, CREATOR);
      const found = await service.getKeys({ id: created.id });
      expect(found.api_keys.map((k) => k.id)).toEqual([created.id]);
      expect(await service.getKeys({ id: 'nope' })).toEqual({ api_keys: [] });
    });

  test('finds keys by name, with * as a wildcard', async () => {
    await service.createKey({ name: 'ingest-a' }, CREATOR);
    await service.createKey({ name: 'ingest-b' }, CREATOR);
    await service.createKey({ name: 'reader' }, CREATOR);

    const names = async (name: string) =>
      (await service.getKeys({ name })).api_keys.map((k) => k.name).sort();
    expect(await names('ingest-*')).toEqual(['ingest-a', 'ingest-b']);
    expect(await names('reader')).toEqual(['reader']);
    expect(await names('ingest')).toEqual([]);
    expect(await names('*')).toEqual(['ingest-a', 'ingest-b', 'reader']);
  });

  test('answers an id no key can have as unknown without a store read',
    async () => {
      const found = await service.getKeys({ id: 'x'.repeat(3000) });
      expect(found).toEqual({ api_keys: [] });
      expect(store.reads.count).toBe(0);
    });

  test('refuses id and name together', async () => {
    const error = await failure(service.getKeys({ id: 'a', name: 'b' }));
    expect(error.status).toBe(400);
    expect(error.message).toBe('Validation Failed: 1: only one of '
      + '[api key id, api key name] can be specified;');
  });
});

describe('invalidating keys', () => {
  test('reports new and earlier invalidations and skips unknown ids',
    async () => {
      const a = await service.createKey({ name: 'a' }, CREATOR);
      const b = await service.createKey({ name: 'b' }, CREATOR);
      await service.invalidateKeys({ ids: [a.id] });

      expect(await service.invalidateKeys({ ids: [a.id, b.id, 'ghost'] }))
        .toEqual({
          invalidated_api_keys: [b.id],
          previously_invalidated_api_keys: [a.id],
          error_count: 0,
        });
    });

  test('invalidates every key of a name', async () => {
    const a1 = await service.createKey({ name: 'a' }, CREATOR);
    const a2 = await service.createKey({ name: 'a' }, CREATOR);
    const b = await service.createKey({ name: 'b' }, CREATOR);

    const response = await service.invalidateKeys({ name: 'a' });
    expect(response.invalidated_api_keys.sort())
      .toEqual([a1.id, a2.id].sort());
    expect(store.items.get(b.id)?.invalidated).toBe(false);
  });

  test('leaves out an id no key can have without asking the store',
    async () => {
      const untouched = createKeyService({
        ...store,
        invalidateKey: () => Promise.reject(new Error('store was asked')),
      });
      expect(await untouched.invalidateKeys({ ids: ['x'.repeat(3000)] }))
        .toEqual({
          invalidated_api_keys: [], previously_invalidated_api_keys: [],
          error_count: 0,
        });
    });

  test('tells which keys it reached, also when a later write fails',
    async () => {
      const a = await service.createKey({ name: 'a' }, CREATOR);
      const b = await service.createKey({ name: 'b' }, CREATOR);
      const c = await service.createKey({ name: 'c' }, CREATOR);
      await service.invalidateKeys({ ids: [b.id] });
      const told: string[][] = [];
      const failing = createKeyService({
        ...store,
        invalidateKey: (id, nowMs) => id === c.id
          ? Promise.reject(new Error('throttled'))
          : store.invalidateKey(id, nowMs),
      }, { onInvalidated: (ids) => told.push(ids) });

      await expect(failing.invalidateKeys({ ids: [a.id, b.id, c.id] }))
        .rejects.toThrow('throttled');
      expect(told).toEqual([[a.id, b.id]]);
    });

  test('accepts the single id form', async () => {
    const a = await service.createKey({ name: 'a' }, CREATOR);
    expect((await service.invalidateKeys({ id: a.id })).invalidated_api_keys)
      .toEqual([a.id]);
  });

  test.each([
    [{}, 'Validation Failed: 1: One of [api key id(s), api key name, '
      + 'username, realm name] must be specified if [owner] flag is false;'],
    [{ ids: ['a'], name: 'b' }, 'Validation Failed: 1: only one of '
      + '[api key id(s), api key name] can be specified;'],
    [{ id: 'a', ids: ['b'] }, 'Validation Failed: 1: Must use either [id] '
      + 'or [ids], not both at the same time;'],
    [{ ids: [] }, 'Validation Failed: 1: Field [ids] must not be empty or '
      + 'blank;'],
  ])('refuses %j', async (body, reason) => {
    const error = await failure(service.invalidateKeys(body));
    expect(error.status).toBe(400);
    expect(error.type).toBe('action_request_validation_exception');
    expect(error.message).toBe(reason);
  });
});

describe('createFirstKey', () => {
  test('makes a working key without a caller', async () => {
    const first = await createFirstKey(store, {
      name: 'local-admin', privileges: ['manage_ml', 'manage_security'],
      now: () => clock,
    });
    const authorizer = createApiKeyAuthorizer(store, { now: () => clock });
    const principal = await authorizer.authenticate(withKey(first.encoded));

    expect(principal.keyName).toBe('local-admin');
    expect(principal.privileges).toEqual(['manage_ml', 'manage_security']);
    expect(first).not.toHaveProperty('expiration');
  });

  test('refuses a privilege it does not know', async () => {
    await expect(createFirstKey(store, { name: 'x', privileges: ['root'] }))
      .rejects.toThrow('unknown cluster privileges [root]');
  });
});
