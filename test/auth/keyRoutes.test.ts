import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createFirstKey } from '../../lib/auth/keyService.js';
import {
  ADMIN, apiEvent, bodyOf, startRealHandler, withKey,
} from './realHandler.js';

/** Key management through the Lambda handler, with real dynalite. */

const JSON_TYPE = { 'content-type': 'application/json' };
let setup: Awaited<ReturnType<typeof startRealHandler>>;
let admin: { id: string; encoded: string };

beforeAll(async () => {
  setup = await startRealHandler(inject('dynamoUrl'));
  admin = await createFirstKey(setup.keyStore,
    { name: 'first', privileges: ['all'] });
});

afterAll(() => setup.close());

async function send(
  method: string, path: string, encoded: string,
  options: { body?: unknown; query?: string } = {},
) {
  const result = await setup.handler(apiEvent(method, path, {
    headers: { ...withKey(encoded), ...JSON_TYPE },
    body: options.body === undefined ? '' : JSON.stringify(options.body),
    query: options.query,
  }));
  return { status: result.statusCode, body: bodyOf(result) };
}

describe('the API key routes', () => {
  test('create a key that works at once with the privileges asked for',
    async () => {
      const created = await send('POST', '/_security/api_key', admin.encoded,
        { body: { name: 'ingest', role_descriptors: {
          ingest: { cluster: ['manage_ml'] } } } });

      expect(created.status).toBe(200);
      expect(created.body.name).toBe('ingest');
      // encoded is base64 of "<id>:<api_key>".
      expect(Buffer.from(created.body.encoded, 'base64').toString())
        .toBe(`${created.body.id}:${created.body.api_key}`);

      const jobs = await send('GET', '/_ml/anomaly_detectors',
        created.body.encoded);
      expect(jobs.status).toBe(200);
      const keyList = await send('GET', '/_security/api_key',
        created.body.encoded);
      expect(keyList.status).toBe(403);
    });

  test('give a key without role descriptors its creator\'s privileges',
    async () => {
      const created = await send('PUT', '/_security/api_key', admin.encoded,
        { body: { name: 'copy' } });

      // The creator holds `all`, which includes key management.
      const listed = await send('GET', '/_security/api_key',
        created.body.encoded, { query: `id=${created.body.id}` });
      expect(listed.status).toBe(200);
      expect(listed.body.api_keys).toHaveLength(1);
    });

  test('refuse a key with privileges its creator lacks', async () => {
    const keymaker = await send('POST', '/_security/api_key', admin.encoded,
      { body: { name: 'keymaker',
        role_descriptors: { r: { cluster: ['manage_security'] } } } });

    const wider = await send('POST', '/_security/api_key',
      keymaker.body.encoded, { body: { name: 'wider',
        role_descriptors: { r: { cluster: ['all'] } } } });
    const same = await send('POST', '/_security/api_key',
      keymaker.body.encoded, { body: { name: 'same',
        role_descriptors: { r: { cluster: ['manage_security'] } } } });
    const listed = await send('GET', '/_security/api_key', admin.encoded,
      { query: 'name=wider' });

    expect(wider.status).toBe(403);
    expect(wider.body.error.type).toBe('security_exception');
    expect(wider.body.error.reason).toBe('action '
      + '[cluster:admin/xpack/security/api_key/create] is unauthorized for '
      + 'user [keymaker], a new API key may not have the cluster privileges '
      + '[all], which its creator does not have');
    expect(listed.body.api_keys).toEqual([]);
    expect(same.status).toBe(200);
  });

  test('give a key made by an expiring key that key\'s expiry at most',
    async () => {
      const parent = await send('POST', '/_security/api_key', admin.encoded,
        { body: { name: 'parent', expiration: '1m' } });

      const child = await send('POST', '/_security/api_key',
        parent.body.encoded, { body: { name: 'child' } });
      const listed = await send('GET', '/_security/api_key', admin.encoded,
        { query: `id=${child.body.id}` });

      expect(child.status).toBe(200);
      expect(child.body.expiration).toBe(parent.body.expiration);
      expect(listed.body.api_keys[0].expiration)
        .toBe(parent.body.expiration);
    });

  test('list keys by name and never show a secret', async () => {
    const created = await send('POST', '/_security/api_key', admin.encoded,
      { body: { name: 'listed-once' } });

    const listed = await send('GET', '/_security/api_key', admin.encoded,
      { query: 'name=listed-*' });

    expect(listed.status).toBe(200);
    // Made without descriptors by a key with `all`: it shows `all` under
    // one descriptor named after it.
    expect(listed.body.api_keys).toEqual([{
      id: created.body.id, name: 'listed-once', type: 'rest',
      creation: expect.any(Number), invalidated: false,
      role_descriptors: { 'listed-once': {
        cluster: ['all'], indices: [], applications: [], run_as: [],
        metadata: {}, transient_metadata: { enabled: true },
      } },
    }]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.api_key);
  });

  test('show the role descriptors a key was made with', async () => {
    const created = await send('POST', '/_security/api_key', admin.encoded,
      { body: { name: 'two-roles', role_descriptors: {
        writer: { cluster: ['manage_ml'] },
        reader: { cluster: ['monitor_ml'] } } } });

    const listed = await send('GET', '/_security/api_key', admin.encoded,
      { query: `id=${created.body.id}` });

    // Elasticsearch's full descriptor form; only cluster is ever set here.
    const empty = { indices: [], applications: [], run_as: [], metadata: {},
      transient_metadata: { enabled: true } };
    expect(listed.body.api_keys[0].role_descriptors).toEqual({
      writer: { cluster: ['manage_ml'], ...empty },
      reader: { cluster: ['monitor_ml'], ...empty },
    });
  });

  test.each([
    ['a NUL', 'a\u0000b', 'api key name may not contain control characters'],
    ['a bell', 'a\u0007b', 'api key name may not contain control characters'],
    ['a C1 control', 'a\u0085b',
      'api key name may not contain control characters'],
    ['a lone high surrogate', 'a\ud800b',
      'api key name may not contain unpaired surrogates'],
    ['a lone low surrogate', 'a\udc00', 'api key name may not contain '
      + 'unpaired surrogates'],
    ['a star', 'ingest-*', 'api key name may not contain [*]'],
  ])('refuse a name with %s', async (_l, name, problem) => {
    const created = await send('POST', '/_security/api_key', admin.encoded,
      { body: { name } });

    expect(created.status).toBe(400);
    expect(created.body.error.type)
      .toBe('action_request_validation_exception');
    expect(created.body.error.reason).toBe(`Validation Failed: 1: ${problem};`);
  });

  test('accept a name with a character outside the BMP', async () => {
    // U+1F680 is a surrogate pair in UTF-16, not a lone half.
    const created = await send('POST', '/_security/api_key', admin.encoded,
      { body: { name: 'rocket \u{1F680}' } });

    expect(created.status).toBe(200);
    expect(created.body.name).toBe('rocket \u{1F680}');
  });

  test('invalidate a key, which then stops working', async () => {
    const created = await send('POST', '/_security/api_key', admin.encoded,
      { body: { name: 'short-lived' } });

    const deleted = await send('DELETE', '/_security/api_key',
      admin.encoded, { body: { ids: [created.body.id] } });
    const again = await send('DELETE', '/_security/api_key',
      admin.encoded, { body: { ids: [created.body.id] } });
    const used = await send('GET', '/_ml/anomaly_detectors',
      created.body.encoded);

    expect(deleted.body).toEqual({
      invalidated_api_keys: [created.body.id],
      previously_invalidated_api_keys: [], error_count: 0,
    });
    expect(again.body.previously_invalidated_api_keys)
      .toEqual([created.body.id]);
    expect(used.status).toBe(401);
  });

  test('answer a bad request with the validation error', async () => {
    const created = await send('POST', '/_security/api_key', admin.encoded,
      { body: { name: '_hidden' } });

    expect(created.status).toBe(400);
    expect(created.body.error.type)
      .toBe('action_request_validation_exception');
    expect(created.body.error.reason).toBe('Validation Failed: '
      + '1: api key name may not begin with an underscore;');
  });
});

describe('revoking a key while the process caches keys for 30 s', () => {
  let cached: Awaited<ReturnType<typeof startRealHandler>>;
  let cachedAdmin: { encoded: string };

  beforeAll(async () => {
    cached = await startRealHandler(inject('dynamoUrl'), { cacheMs: 30_000 });
    cachedAdmin = await createFirstKey(cached.keyStore,
      { name: 'first', privileges: ['all'] });
  });

  afterAll(() => cached.close());

  async function as(
    encoded: string, method: string, path: string, body?: unknown,
  ) {
    const result = await cached.handler(apiEvent(method, path, {
      headers: { ...withKey(encoded), ...JSON_TYPE },
      body: body === undefined ? '' : JSON.stringify(body),
    }));
    return result.statusCode;
  }

  test('stops the key at once in the process that revoked it', async () => {
    const key = (await cached.keys.createKey({ name: 'k' }, ADMIN));
    expect(await as(key.encoded, 'GET', '/_ml/anomaly_detectors')).toBe(200);

    expect(await as(cachedAdmin.encoded, 'DELETE', '/_security/api_key',
      { ids: [key.id] })).toBe(200);

    expect(await as(key.encoded, 'GET', '/_ml/anomaly_detectors')).toBe(401);
    expect(await as(key.encoded, 'POST', '/_security/api_key',
      { name: 'after' })).toBe(401);
  });

  test('refuses key management at once when another process revoked it',
    async () => {
      const key = (await cached.keys.createKey({ name: 'k' }, ADMIN));
      expect(await as(key.encoded, 'POST', '/_security/api_key',
        { name: 'before' })).toBe(200);
      expect(await as(key.encoded, 'GET', '/_ml/anomaly_detectors'))
        .toBe(200);

      // Another process writes the invalidation; this one is not told.
      await cached.keyStore.invalidateKey(key.id, Date.now());

      // The documented window: job routes may work for up to 30 s more.
      expect(await as(key.encoded, 'GET', '/_ml/anomaly_detectors'))
        .toBe(200);
      expect(await as(key.encoded, 'POST', '/_security/api_key',
        { name: 'after' })).toBe(401);
      expect(await as(key.encoded, 'DELETE', '/_security/api_key',
        { ids: [key.id] })).toBe(401);
    });
});

describe('input no key can match', () => {
  test('an id over the store\'s key limit in the header gets 401', async () => {
    // DynamoDB refuses partition keys over 2,048 bytes; this id has 9,000.
    const encoded = Buffer.from(`${'a'.repeat(9000)}:b`).toString('base64');

    const answer = await send('GET', '/_ml/anomaly_detectors', encoded);

    expect(answer.status).toBe(401);
    expect(answer.body.error.type).toBe('security_exception');
    expect(answer.body.error.additional_unsuccessful_credentials).toBe(
      `API key: unable to find apikey with id ${'a'.repeat(64)}...`);
  });

  test('a listing by a 3,000-character id finds no key', async () => {
    const listed = await send('GET', '/_security/api_key', admin.encoded,
      { query: `id=${'x'.repeat(3000)}` });

    expect(listed).toEqual({ status: 200, body: { api_keys: [] } });
  });

  test('invalidating a 3,000-character id invalidates nothing', async () => {
    const deleted = await send('DELETE', '/_security/api_key',
      admin.encoded, { body: { ids: ['x'.repeat(3000)] } });

    expect(deleted).toEqual({ status: 200, body: {
      invalidated_api_keys: [], previously_invalidated_api_keys: [],
      error_count: 0,
    } });
  });

  test.each([
    ['99999999999d', 'an API key may last at most [1000000d]; leave '
      + 'expiration out for a key that never expires'],
    ['0s', 'an API key must last at least [1s]'],
    ['-5m', 'negative durations are not supported'],
  ])('an expiration of %s gets 400', async (expiration, why) => {
    const created = await send('POST', '/_security/api_key', admin.encoded,
      { body: { name: 'odd', expiration } });

    expect(created.status).toBe(400);
    expect(created.body.error.type).toBe('illegal_argument_exception');
    expect(created.body.error.reason).toBe('failed to parse setting '
      + `[expiration] with value [${expiration}] as a time value: ${why}`);
  });
});

describe('with authentication off', () => {
  test('refuses key management and lets job routes through', async () => {
    const open = await startRealHandler(inject('dynamoUrl'), { auth: 'off' });
    try {
      const keyList = await open.handler(
        apiEvent('GET', '/_security/api_key'));
      const jobs = await open.handler(
        apiEvent('GET', '/_ml/anomaly_detectors'));

      expect(keyList.statusCode).toBe(400);
      expect(bodyOf(keyList).error.type).toBe('security_exception');
      expect(bodyOf(keyList).error.reason).toContain('ML_AUTH=off');
      expect(jobs.statusCode).toBe(200);
    } finally {
      open.close();
    }
  });
});
