import { beforeEach, expect } from 'vitest';
import type { HttpRequest } from '../../lib/api/types.js';
import { createKeyService } from '../../lib/auth/keyService.js';
import type { ApiKeyPrincipal, ApiKeyStore } from '../../lib/auth/types.js';
import { MlError } from '../../lib/errors.js';
import { createMemoryKeyStore, type MemoryKeyStore } from './memoryKeyStore.js';

/** What the authorizer tests share: actions, requests and key making. */

export const POST_DATA = 'cluster:admin/xpack/ml/job/data/post';
export const GET_JOBS = 'cluster:monitor/xpack/ml/job/get';
export const CREATE_KEY = 'cluster:admin/xpack/security/api_key/create';
export const PATH = '/_ml/anomaly_detectors/farequote/_data';
/** Epoch ms at the start of each test. */
export const T0 = 1_700_000_000_000;

const ADMIN: ApiKeyPrincipal = {
  keyId: 'admin', keyName: 'admin', privileges: ['all'], expiration: null,
};

export function request(authorization?: string, query = ''): HttpRequest {
  return {
    method: 'POST',
    path: PATH,
    query: new URLSearchParams(query),
    headers: authorization === undefined ? {} : { authorization },
    body: new Uint8Array(),
  };
}

/** A key made by an `all` key, with cheap hashing. */
export function newKeyIn(
  store: ApiKeyStore, now: () => number, body: Record<string, unknown>,
) {
  const service = createKeyService(store, {
    now, scryptCost: { N: 1024, r: 8, p: 1 },
  });
  return service.createKey(body, ADMIN);
}

export interface KeyBench {
  /** Epoch ms now; a test may move it on. */
  clock: number;
  store: MemoryKeyStore;
  now(): number;
  newKey(body: Record<string, unknown>): ReturnType<typeof newKeyIn>;
}

/**
 * An empty key store and a clock at T0, made anew before each test of the
 * file that calls this.
 */
export function keyBench(): KeyBench {
  const bench: KeyBench = {
    clock: T0,
    store: createMemoryKeyStore(),
    now: () => bench.clock,
    newKey: (body) => newKeyIn(bench.store, bench.now, body),
  };
  beforeEach(() => {
    bench.clock = T0;
    bench.store = createMemoryKeyStore();
  });
  return bench;
}

export async function failure(promise: Promise<unknown>): Promise<MlError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(MlError);
  return error as MlError;
}
