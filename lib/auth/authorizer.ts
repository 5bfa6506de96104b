import type { Authorizer, HttpRequest } from '../api/types.js';
import type { MlError } from '../errors.js';
import { readApiKeyHeader } from './credentials.js';
import { createLimiter, type Limiter } from './limiter.js';
import { anyPrivilegeGrants, isKeyManagementAction } from './privileges.js';
import { isKeyId, secretDigest, verifySecret } from './secretHash.js';
import {
  actionDenied, missingCredentials, unsuccessfulApiKey,
} from './securityErrors.js';
import type { ApiKeyPrincipal, ApiKeyStore, StoredApiKey } from './types.js';

export interface ApiKeyAuthorizerOptions {
  /** Epoch ms; injected so tests can move time. */
  now?: () => number;
  /**
   * How long a verified key is trusted without reading the store again,
   * and so how long a key invalidated by another process may keep
   * working in this one (key management always reads the store).
   */
  cacheMs?: number;
  /**
   * Most verified keys remembered, and most wrong secrets; the oldest is
   * dropped beyond it.
   */
  cacheEntries?: number;
  /**
   * Runs the scrypt checks of secrets. The default runs 2 at once, half
   * of libuv's 4 threads, so that a flood of wrong secrets leaves the
   * store's file and network work room to move.
   */
  scryptLimiter?: Limiter;
}

export interface ApiKeyAuthorizer extends Authorizer {
  /**
   * The principal behind the request's API key, or MlError 401. The key
   * service uses it, `fresh`, to learn who creates a key.
   */
  authenticate(
    request: HttpRequest, options?: { fresh?: boolean },
  ): Promise<ApiKeyPrincipal>;
  /** Drops what this process remembers of these keys, at once. */
  forget(ids: readonly string[]): void;
}

interface CacheEntry {
  principal: ApiKeyPrincipal;
  trustedUntil: number;
}

export function createApiKeyAuthorizer(
  store: ApiKeyStore, options: ApiKeyAuthorizerOptions = {},
): ApiKeyAuthorizer {
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? 30_000;
  const cacheEntries = options.cacheEntries ?? 10_000;
  const scrypt = options.scryptLimiter ?? createLimiter(2);
  // Keyed by id and a digest of the secret, so a wrong secret for a
  // cached id misses and goes through scrypt like any other attempt.
  const verified = new Map<string, CacheEntry>();
  // Wrong secrets, by the same key, until when they are answered without
  // scrypt. A key's hash never changes, so a wrong secret stays wrong; the
  // time only bounds how long it is kept.
  const refused = new Map<string, number>();
  const inFlight = new Map<string, Promise<ApiKeyPrincipal>>();
  // Requests already checked against the store, so that a key creation
  // checks its caller once, not once to authorize and again to create.
  const checkedInStore = new WeakMap<HttpRequest, ApiKeyPrincipal>();
  // Raised by forget(): a verification that began before it must not put
  // what it read back into the cache.
  let generation = 0;

  async function authenticate(
    request: HttpRequest, { fresh = false } = {},
  ): Promise<ApiKeyPrincipal> {
    const checked = checkedInStore.get(request);
    if (checked !== undefined) return unlessExpired(checked, now());

    const header = readApiKeyHeader(request.headers.authorization);
    if (header.kind === 'absent') {
      throw missingCredentials(requestUri(request));
    }
    if (header.kind === 'malformed') throw unsuccessfulApiKey(header.message);
    if (!isKeyId(header.id)) throw keyNotFound(header.id);

    const cacheKey = `${header.id}:${secretDigest(header.secret)}`;
    const nowMs = now();
    // Before the store read, so a repeated wrong secret costs nothing; if
    // the key was invalidated since, it is still refused, with this cause.
    if ((refused.get(cacheKey) ?? 0) > nowMs) throw wrongSecret(header.id);
    if (fresh) {
      const principal =
        await verify(header.id, header.secret, cacheKey, nowMs);
      checkedInStore.set(request, principal);
      return unlessExpired(principal, nowMs);
    }

    const cached = verified.get(cacheKey);
    if (cached !== undefined && nowMs < cached.trustedUntil) {
      return unlessExpired(cached.principal, nowMs);
    }

    // Parallel requests with one new key (a client posting several files
    // at once) share one store read and one scrypt run.
    let verifying = inFlight.get(cacheKey);
    if (verifying === undefined) {
      // forget() may have put a newer check in its place meanwhile.
      const started: Promise<ApiKeyPrincipal> =
        verify(header.id, header.secret, cacheKey, nowMs).finally(() => {
          if (inFlight.get(cacheKey) === started) inFlight.delete(cacheKey);
        });
      inFlight.set(cacheKey, started);
      verifying = started;
    }
    return unlessExpired(await verifying, nowMs);
  }

  async function verify(
    id: string, secret: string, cacheKey: string, nowMs: number,
  ): Promise<ApiKeyPrincipal> {
    const startedIn = generation;
    // An entry, even one past its trust, means scrypt matched this secret
    // to the key's hash, which never changes: the key is read again for
    // its state, but the secret need not wait for scrypt behind a flood.
    const secretKnown = verified.has(cacheKey);
    const key = await store.getKey(id);
    // The checks in the original's order: existence, invalidation, secret.
    if (key === undefined) throw keyNotFound(id);
    if (key.invalidated) {
      throw unsuccessfulApiKey(`api key [${id}] has been invalidated`);
    }
    if (!secretKnown
      && !(await scrypt.run(() => verifySecret(secret, key.secretHash)))) {
      remember(refused, cacheKey, nowMs + cacheMs);
      throw wrongSecret(id);
    }

    const principal = principalOf(key);
    const trustedUntil = nowMs + cacheMs;
    if (startedIn === generation) {
      remember(verified, cacheKey, { principal, trustedUntil });
    }
    return principal;
  }

  /**
   * Walks the whole cache (at most cacheEntries, 10,000 by default):
   * invalidations are rare, and entries are keyed `<id>:<digest>`, ids
   * having no colon.
   */
  function forget(ids: readonly string[]): void {
    const dropped = new Set(ids);
    for (const map of [verified, inFlight]) {
      for (const cacheKey of map.keys()) {
        if (dropped.has(cacheKey.slice(0, cacheKey.indexOf(':')))) {
          map.delete(cacheKey);
        }
      }
    }
    generation += 1;
  }

  function remember<T>(
    map: Map<string, T>, cacheKey: string, entry: T,
  ): void {
    // Deleting first makes a renewed entry the newest one.
    map.delete(cacheKey);
    if (map.size >= cacheEntries) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
    map.set(cacheKey, entry);
  }

  return {
    authenticate,
    forget,
    async authorize(request, action) {
      // Key management reads the store every time: a revoked key must not
      // keep making keys for the cache's 30 s.
      const fresh = isKeyManagementAction(action);
      const principal = await authenticate(request, { fresh });
      if (!anyPrivilegeGrants(principal.privileges, action)) {
        throw actionDenied(action, principal);
      }
    },
  };
}

/**
 * Who a request runs as. The expiry travels with it, as expiry is checked
 * on every request, cached or not.
 */
function principalOf(key: StoredApiKey): ApiKeyPrincipal {
  return {
    keyId: key.id,
    keyName: key.name,
    privileges: [...key.privileges],
    expiration: key.expiration,
  };
}

function wrongSecret(id: string): MlError {
  return unsuccessfulApiKey(`invalid credentials for API key [${id}]`);
}

/**
 * The original's words for an unknown id. An id that is not even of the
 * right shape may fill the whole header; 64 characters of it are enough
 * to recognise it.
 */
function keyNotFound(id: string): MlError {
  const shown = id.length <= 64 ? id : `${id.slice(0, 64)}...`;
  return unsuccessfulApiKey(`unable to find apikey with id ${shown}`);
}

function unlessExpired(
  principal: ApiKeyPrincipal, nowMs: number,
): ApiKeyPrincipal {
  if (principal.expiration !== null && principal.expiration <= nowMs) {
    throw unsuccessfulApiKey('api key is expired');
  }
  return principal;
}

/** Elasticsearch quotes the request URI, query string included. */
function requestUri(request: HttpRequest): string {
  const query = request.query.toString();
  return query === '' ? request.path : `${request.path}?${query}`;
}
