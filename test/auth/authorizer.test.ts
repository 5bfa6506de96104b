import { describe, expect, test } from 'vitest';
import { createApiKeyAuthorizer } from '../../lib/auth/authorizer.js';
import { encodeApiKey } from '../../lib/auth/secretHash.js';
import {
  GET_JOBS, PATH, POST_DATA, T0, failure, keyBench, request,
} from './authorizerFixture.js';

// The original's reason when a given key does not authenticate.
const UNABLE = 'unable to authenticate with provided credentials and '
  + 'anonymous access is not allowed for this request';

const keys = keyBench();
const { now, newKey } = keys;

describe('authentication failures', () => {
  test('answers 401 with the request URI when there is no header',
    async () => {
      const authorizer = createApiKeyAuthorizer(keys.store, { now });
      const error = await failure(
        authorizer.authorize(request(undefined, 'reset_start=1'), POST_DATA));

      expect(error.status).toBe(401);
      expect(error.type).toBe('security_exception');
      expect(error.message).toBe('missing authentication credentials for '
        + `REST request [${PATH}?reset_start=1]`);
      expect(error.headers).toEqual({ 'WWW-Authenticate': 'ApiKey' });
      expect(error.metadata).toEqual(
        { header: { 'WWW-Authenticate': 'ApiKey' } });
    });

  test('treats another scheme as no credentials', async () => {
    const authorizer = createApiKeyAuthorizer(keys.store, { now });
    const error = await failure(authorizer.authorize(
      request('Basic ZWxhc3RpYzpjaGFuZ2VtZQ=='), POST_DATA));

    expect(error.status).toBe(401);
    expect(error.message).toBe(
      `missing authentication credentials for REST request [${PATH}]`);
  });

  test.each([
    ['bad base64', 'ApiKey YWJj-mRl', 'Illegal base64 character 2d'],
    ['no colon', 'ApiKey YWJjZGVm', 'invalid ApiKey value'],
    ['an unknown id', 'ApiKey YWJjOmRlZg==',
      'unable to find apikey with id abc'],
  ])('answers 401 for %s and names the cause', async (_l, header, cause) => {
    const authorizer = createApiKeyAuthorizer(keys.store, { now });
    const error = await failure(
      authorizer.authorize(request(header), POST_DATA));

    expect(error.status).toBe(401);
    expect(error.type).toBe('security_exception');
    expect(error.message).toBe(UNABLE);
    expect(error.headers).toEqual({ 'WWW-Authenticate': 'ApiKey' });
    expect(error.metadata).toEqual({
      additional_unsuccessful_credentials: `API key: ${cause}`,
      header: { 'WWW-Authenticate': 'ApiKey' },
    });
  });

  test.each([
    ['9,000 characters', 'a'.repeat(9000)],
    ['19 characters', 'a'.repeat(19)],
    ['21 characters', 'a'.repeat(21)],
    ['a character outside base64url', `${'a'.repeat(19)}+`],
  ])('answers 401 to an id of %s without reading the store',
    async (_l, id) => {
      const authorizer = createApiKeyAuthorizer(keys.store, { now });
      const error = await failure(authorizer.authorize(
        request(`ApiKey ${encodeApiKey(id, 'b')}`), POST_DATA));

      expect(error.status).toBe(401);
      expect(error.message).toBe(UNABLE);
      // Ids longer than 64 characters are cut to their first 64.
      const shown = id.length > 64 ? `${id.slice(0, 64)}...` : id;
      expect(error.metadata.additional_unsuccessful_credentials)
        .toBe(`API key: unable to find apikey with id ${shown}`);
      expect(keys.store.reads.count).toBe(0);
    });

  test('answers 401 for a wrong secret', async () => {
    const key = await newKey({ name: 'ingest' });
    const wrong = Buffer.from(`${key.id}:not-the-secret`).toString('base64');
    const authorizer = createApiKeyAuthorizer(keys.store, { now });
    const error = await failure(
      authorizer.authorize(request(`ApiKey ${wrong}`), POST_DATA));

    expect(error.status).toBe(401);
    expect(error.message).toBe(UNABLE);
    expect(error.metadata.additional_unsuccessful_credentials)
      .toBe(`API key: invalid credentials for API key [${key.id}]`);
  });

  test('answers 401 for an invalidated key', async () => {
    const key = await newKey({ name: 'ingest' });
    await keys.store.invalidateKey(key.id, keys.clock);
    const authorizer = createApiKeyAuthorizer(keys.store, { now });
    const error = await failure(
      authorizer.authorize(request(`ApiKey ${key.encoded}`), POST_DATA));

    expect(error.status).toBe(401);
    expect(error.message).toBe(UNABLE);
    expect(error.metadata.additional_unsuccessful_credentials)
      .toBe(`API key: api key [${key.id}] has been invalidated`);
  });

  test('answers 401 for a key from the moment it expires', async () => {
    // "1h" is 3_600_000 ms after creation.
    const key = await newKey({ name: 'ingest', expiration: '1h' });
    const authorizer = createApiKeyAuthorizer(keys.store, { now, cacheMs: 0 });

    keys.clock += 3_599_999;
    await authorizer.authorize(request(`ApiKey ${key.encoded}`), POST_DATA);

    keys.clock += 1;
    const error = await failure(
      authorizer.authorize(request(`ApiKey ${key.encoded}`), POST_DATA));
    expect(error.status).toBe(401);
    expect(error.message).toBe(UNABLE);
    expect(error.metadata.additional_unsuccessful_credentials)
      .toBe('API key: api key is expired');
  });
});

describe('authorization by privilege', () => {
  test('lets a manage_ml key post data', async () => {
    const key = await newKey({ name: 'ingest',
      role_descriptors: { ml: { cluster: ['manage_ml'] } } });
    const authorizer = createApiKeyAuthorizer(keys.store, { now });

    await expect(authorizer.authorize(
      request(`ApiKey ${key.encoded}`), POST_DATA)).resolves.toBeUndefined();
  });

  test('answers 403 to a monitor_ml key that posts data', async () => {
    const key = await newKey({ name: 'reader',
      role_descriptors: { ml: { cluster: ['monitor_ml'] } } });
    const authorizer = createApiKeyAuthorizer(keys.store, { now });
    const error = await failure(
      authorizer.authorize(request(`ApiKey ${key.encoded}`), POST_DATA));

    expect(error.status).toBe(403);
    expect(error.type).toBe('security_exception');
    // Spec §9: "is unauthorized for user [<name>], this action is granted
    // by the cluster privileges [manage_ml,manage,all]".
    expect(error.message).toBe(`action [${POST_DATA}] is unauthorized for `
      + 'user [reader], this action is granted by the cluster privileges '
      + '[manage_ml,manage,all]');
    expect(error.headers).toEqual({});
  });

  test('lets the monitor_ml key read jobs', async () => {
    const key = await newKey({ name: 'reader',
      role_descriptors: { ml: { cluster: ['monitor_ml'] } } });
    const authorizer = createApiKeyAuthorizer(keys.store, { now });

    await expect(authorizer.authorize(
      request(`ApiKey ${key.encoded}`), GET_JOBS)).resolves.toBeUndefined();
  });

  test('authenticates before it authorizes', async () => {
    const authorizer = createApiKeyAuthorizer(keys.store, { now });
    const error = await failure(authorizer.authorize(
      request(), 'cluster:admin/xpack/security/api_key/create'));
    expect(error.status).toBe(401);
  });
});

describe('the verification cache', () => {
  test('reads the store once while a verified key is cached', async () => {
    const key = await newKey({ name: 'ingest' });
    const authorizer = createApiKeyAuthorizer(keys.store, { now });
    const header = `ApiKey ${key.encoded}`;

    for (let i = 0; i < 5; i += 1) {
      await authorizer.authorize(request(header), POST_DATA);
    }
    expect(keys.store.reads.count).toBe(1);
  });

  test('keeps a revoked key working only until cacheMs has passed',
    async () => {
      const key = await newKey({ name: 'ingest' });
      const authorizer = createApiKeyAuthorizer(keys.store, {
        now, cacheMs: 30_000,
      });
      const header = `ApiKey ${key.encoded}`;
      const verifiedAt = keys.clock;
      await authorizer.authorize(request(header), POST_DATA);

      await keys.store.invalidateKey(key.id, keys.clock);
      keys.clock = verifiedAt + 29_999;
      await authorizer.authorize(request(header), POST_DATA);

      keys.clock = verifiedAt + 30_000;
      const error = await failure(
        authorizer.authorize(request(header), POST_DATA));
      expect(error.metadata.additional_unsuccessful_credentials)
        .toBe(`API key: api key [${key.id}] has been invalidated`);
    });

  test('does not let a wrong secret ride on a cached id', async () => {
    const key = await newKey({ name: 'ingest' });
    const authorizer = createApiKeyAuthorizer(keys.store, { now });
    await authorizer.authorize(request(`ApiKey ${key.encoded}`), POST_DATA);

    const wrong = Buffer.from(`${key.id}:guess`).toString('base64');
    const error = await failure(
      authorizer.authorize(request(`ApiKey ${wrong}`), POST_DATA));
    expect(error.status).toBe(401);
  });

  test('stops a cached key at its expiry without waiting for the cache',
    async () => {
      const key = await newKey({ name: 'ingest', expiration: '10s' });
      const authorizer = createApiKeyAuthorizer(keys.store, {
        now, cacheMs: 60_000,
      });
      await authorizer.authorize(request(`ApiKey ${key.encoded}`), POST_DATA);

      keys.clock += 10_000;
      const error = await failure(
        authorizer.authorize(request(`ApiKey ${key.encoded}`), POST_DATA));
      expect(error.metadata.additional_unsuccessful_credentials)
        .toBe('API key: api key is expired');
      expect(keys.store.reads.count).toBe(1);
    });

  test('verifies a new key once for requests that arrive together',
    async () => {
      const key = await newKey({ name: 'ingest' });
      const authorizer = createApiKeyAuthorizer(keys.store, { now });
      const header = `ApiKey ${key.encoded}`;

      await Promise.all([1, 2, 3].map(() =>
        authorizer.authorize(request(header), POST_DATA)));
      expect(keys.store.reads.count).toBe(1);
    });

  test('does not cache a failed verification', async () => {
    const authorizer = createApiKeyAuthorizer(keys.store, { now });
    // An id of the shape keys have (20 URL-safe characters), but unknown.
    const header = `ApiKey ${encodeApiKey('A'.repeat(20), 'def')}`;
    await failure(authorizer.authorize(request(header), POST_DATA));
    await failure(authorizer.authorize(request(header), POST_DATA));
    expect(keys.store.reads.count).toBe(2);
  });

  test('forgets the oldest entry beyond its size', async () => {
    const first = await newKey({ name: 'first' });
    const second = await newKey({ name: 'second' });
    const authorizer = createApiKeyAuthorizer(keys.store, {
      now, cacheEntries: 1,
    });
    await authorizer.authorize(request(`ApiKey ${first.encoded}`), POST_DATA);
    await authorizer.authorize(
      request(`ApiKey ${second.encoded}`), POST_DATA);
    await authorizer.authorize(request(`ApiKey ${first.encoded}`), POST_DATA);
    // first, second, then first again after second pushed it out.
    expect(keys.store.reads.count).toBe(3);
  });
});

describe('authenticate', () => {
  test('returns who the key belongs to and what it may do', async () => {
    const key = await newKey({ name: 'ingest', expiration: '1d',
      role_descriptors: { a: { cluster: ['monitor_ml'] } } });
    const authorizer = createApiKeyAuthorizer(keys.store, { now });

    // "1d" is 86_400_000 ms after creation.
    expect(await authorizer.authenticate(request(`ApiKey ${key.encoded}`)))
      .toEqual({
        keyId: key.id, keyName: 'ingest', privileges: ['monitor_ml'],
        expiration: T0 + 86_400_000,
      });
  });
});
