import { describe, expect, test, vi } from 'vitest';
import { createApiKeyAuthorizer } from '../../lib/auth/authorizer.js';
import { createLimiter, type Limiter } from '../../lib/auth/limiter.js';
import { encodeApiKey } from '../../lib/auth/secretHash.js';
import {
  POST_DATA, failure, keyBench, request,
} from './authorizerFixture.js';

const keys = keyBench();
const { now, newKey } = keys;

/**
 * A limiter of `slots` whose tasks, once they hold a slot, wait until the
 * test lets them go: `started` has one release per task that got a slot.
 */
function heldLimiter(slots: number) {
  const inner = createLimiter(slots);
  const started: Array<() => void> = [];
  const limiter: Limiter = {
    run: (task) => inner.run(async () => {
      await new Promise<void>((resolve) => started.push(resolve));
      return task();
    }),
    get running() { return inner.running; },
    get waiting() { return inner.waiting; },
  };
  return { limiter, started };
}

const wrongKey = (id: string, n: number) =>
  `ApiKey ${encodeApiKey(id, `wrong-${n}`)}`;

describe('scrypt under a flood of wrong secrets', () => {
  test('starts a third check only when one of two running ends',
    async () => {
      const key = await newKey({ name: 'ingest' });
      const { limiter, started } = heldLimiter(2);
      const authorizer = createApiKeyAuthorizer(keys.store,
        { now, scryptLimiter: limiter });

      const attempts = [1, 2, 3].map((n) => failure(
        authorizer.authorize(request(wrongKey(key.id, n)), POST_DATA)));
      await vi.waitFor(() => expect(limiter.waiting).toBe(1));
      expect(started).toHaveLength(2);

      started[0]();
      await vi.waitFor(() => expect(started).toHaveLength(3));
      started[1]();
      started[2]();
      for (const error of await Promise.all(attempts)) {
        expect(error.status).toBe(401);
      }
    });

  test('answers a cached key while every scrypt slot is taken', async () => {
    const key = await newKey({ name: 'ingest' });
    const { limiter, started } = heldLimiter(2);
    const authorizer = createApiKeyAuthorizer(keys.store,
      { now, scryptLimiter: limiter });
    const good = `ApiKey ${key.encoded}`;
    const first = authorizer.authorize(request(good), POST_DATA);
    await vi.waitFor(() => expect(started).toHaveLength(1));
    started[0]();
    await first;

    const flood = [1, 2, 3, 4].map((n) => failure(
      authorizer.authorize(request(wrongKey(key.id, n)), POST_DATA)));
    await vi.waitFor(() => expect(limiter.waiting).toBe(2));

    await expect(authorizer.authorize(request(good), POST_DATA))
      .resolves.toBeUndefined();
    expect(started).toHaveLength(3);

    for (let i = 1; i < 5; i += 1) {
      await vi.waitFor(() => expect(started.length).toBeGreaterThan(i));
      started[i]();
    }
    await Promise.all(flood);
  });

  test('re-checks a known key whose cache time ran out while every slot '
    + 'is taken', async () => {
    const key = await newKey({ name: 'ingest' });
    const { limiter, started } = heldLimiter(2);
    const authorizer = createApiKeyAuthorizer(keys.store,
      { now, cacheMs: 30_000, scryptLimiter: limiter });
    const good = `ApiKey ${key.encoded}`;
    const first = authorizer.authorize(request(good), POST_DATA);
    await vi.waitFor(() => expect(started).toHaveLength(1));
    started[0]();
    await first;

    const flood = [1, 2, 3].map((n) => failure(
      authorizer.authorize(request(wrongKey(key.id, n)), POST_DATA)));
    await vi.waitFor(() => expect(limiter.waiting).toBe(1));
    keys.clock += 30_000;

    // The store is read again for the key's state, without scrypt: one
    // read at first, one per wrong secret, one now.
    await expect(authorizer.authorize(request(good), POST_DATA))
      .resolves.toBeUndefined();
    expect(keys.store.reads.count).toBe(1 + 3 + 1);
    expect(started).toHaveLength(3);

    for (let i = 1; i < 4; i += 1) {
      await vi.waitFor(() => expect(started.length).toBeGreaterThan(i));
      started[i]();
    }
    await Promise.all(flood);
  });

  test('answers a repeated wrong secret without scrypt or a store read',
    async () => {
      const key = await newKey({ name: 'ingest' });
      const inner = createLimiter(2);
      let runs = 0;
      const authorizer = createApiKeyAuthorizer(keys.store, {
        now, cacheMs: 30_000,
        scryptLimiter: {
          run: (task) => { runs += 1; return inner.run(task); },
          running: 0, waiting: 0,
        },
      });

      const errors = [];
      for (let i = 0; i < 3; i += 1) {
        errors.push(await failure(
          authorizer.authorize(request(wrongKey(key.id, 1)), POST_DATA)));
      }
      expect(runs).toBe(1);
      expect(keys.store.reads.count).toBe(1);
      for (const error of errors) {
        expect(error.metadata.additional_unsuccessful_credentials)
          .toBe(`API key: invalid credentials for API key [${key.id}]`);
      }

      // After cacheMs the secret is checked again.
      keys.clock += 30_000;
      await failure(
        authorizer.authorize(request(wrongKey(key.id, 1)), POST_DATA));
      expect(runs).toBe(2);
    });
});
