import { describe, expect, test } from 'vitest';
import { createApiKeyAuthorizer } from '../../lib/auth/authorizer.js';
import {
  CREATE_KEY, POST_DATA, failure, keyBench, request,
} from './authorizerFixture.js';

const keys = keyBench();
const { now, newKey } = keys;

describe('revocation', () => {
  test('forget drops a cached key at once', async () => {
    const key = await newKey({ name: 'ingest' });
    const authorizer = createApiKeyAuthorizer(keys.store, {
      now, cacheMs: 30_000,
    });
    await authorizer.authorize(request(`ApiKey ${key.encoded}`), POST_DATA);

    await keys.store.invalidateKey(key.id, keys.clock);
    authorizer.forget([key.id]);
    const error = await failure(
      authorizer.authorize(request(`ApiKey ${key.encoded}`), POST_DATA));

    expect(error.metadata.additional_unsuccessful_credentials)
      .toBe(`API key: api key [${key.id}] has been invalidated`);
  });

  test('forget keeps the other keys cached', async () => {
    const kept = await newKey({ name: 'kept' });
    const dropped = await newKey({ name: 'dropped' });
    const authorizer = createApiKeyAuthorizer(keys.store, { now });
    for (const key of [kept, dropped]) {
      await authorizer.authorize(request(`ApiKey ${key.encoded}`), POST_DATA);
    }

    authorizer.forget([dropped.id]);
    await authorizer.authorize(request(`ApiKey ${kept.encoded}`), POST_DATA);
    await authorizer.authorize(
      request(`ApiKey ${dropped.encoded}`), POST_DATA);

    // One read each at first, then one more for the forgotten key only.
    expect(keys.store.reads.count).toBe(3);
  });

  test('a verification that began before forget is not cached',
    async () => {
      const key = await newKey({ name: 'ingest' });
      let release = () => {};
      const held = new Promise<void>((resolve) => { release = resolve; });
      const slowStore = {
        ...keys.store,
        async getKey(id: string) {
          const read = await keys.store.getKey(id);
          await held;
          return read;
        },
      };
      const authorizer = createApiKeyAuthorizer(slowStore, { now });
      const header = `ApiKey ${key.encoded}`;

      // Reads the key while it is valid, then waits.
      const first = authorizer.authorize(request(header), POST_DATA);
      await new Promise((resolve) => setImmediate(resolve));
      await keys.store.invalidateKey(key.id, keys.clock);
      authorizer.forget([key.id]);
      release();
      await first;

      const error = await failure(
        authorizer.authorize(request(header), POST_DATA));
      expect(error.status).toBe(401);
    });

  test('key management reads the store on every request', async () => {
    const key = await newKey({ name: 'admin' });
    const authorizer = createApiKeyAuthorizer(keys.store, {
      now, cacheMs: 30_000,
    });
    const header = `ApiKey ${key.encoded}`;
    await authorizer.authorize(request(header), POST_DATA);

    // Invalidated by another process: this one was not told.
    await keys.store.invalidateKey(key.id, keys.clock);
    await authorizer.authorize(request(header), POST_DATA);
    const error = await failure(
      authorizer.authorize(request(header), CREATE_KEY));

    expect(error.metadata.additional_unsuccessful_credentials)
      .toBe(`API key: api key [${key.id}] has been invalidated`);
  });

  test('a key creation checks its caller in the store once', async () => {
    const key = await newKey({ name: 'admin' });
    const authorizer = createApiKeyAuthorizer(keys.store, { now });
    const creating = request(`ApiKey ${key.encoded}`);

    await authorizer.authorize(creating, CREATE_KEY);
    const creator = await authorizer.authenticate(creating, { fresh: true });

    expect(creator.keyId).toBe(key.id);
    expect(keys.store.reads.count).toBe(1);
  });
});
