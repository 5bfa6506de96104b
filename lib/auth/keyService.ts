import { matchesWildcard } from '../wildcard.js';
import { describeKey, type ApiKeyInfo } from './keyInfo.js';
import {
  readCreateKeyRequest, readGetKeysQuery, readInvalidateKeysRequest,
} from './keyRequests.js';
import {
  API_KEY_ACTION, CLUSTER_PRIVILEGES, isClusterPrivilege, privilegesNotHeld,
} from './privileges.js';
import {
  encodeApiKey, generateKeyId, generateSecret, hashSecret, isKeyId,
  type ScryptCost,
} from './secretHash.js';
import { privilegesExceeded } from './securityErrors.js';
import type {
  ApiKeyPrincipal, ApiKeyStore, RoleDescriptors, StoredApiKey,
} from './types.js';

/** `POST /_security/api_key`: the secret appears here and nowhere else. */
export interface CreateApiKeyResponse {
  id: string;
  name: string;
  expiration?: number;
  api_key: string;
  /** `base64(id:api_key)`, the value to send after `ApiKey `. */
  encoded: string;
}

export interface InvalidateApiKeysResponse {
  invalidated_api_keys: string[];
  previously_invalidated_api_keys: string[];
  error_count: number;
}

export interface KeyService {
  /** `body` is the parsed JSON body; `creator` made the request. */
  createKey(
    body: unknown, creator: ApiKeyPrincipal,
  ): Promise<CreateApiKeyResponse>;
  getKeys(
    query: { id?: string | null; name?: string | null },
  ): Promise<{ api_keys: ApiKeyInfo[] }>;
  invalidateKeys(body: unknown): Promise<InvalidateApiKeysResponse>;
}

export interface KeyServiceOptions {
  now?: () => number;
  /** Lower only in tests: the cost of hashing each new secret. */
  scryptCost?: ScryptCost;
  /**
   * Told which keys an invalidation reached (newly or before), so that
   * this process stops trusting them at once.
   */
  onInvalidated?: (ids: string[]) => void;
}

export function createKeyService(
  store: ApiKeyStore, options: KeyServiceOptions = {},
): KeyService {
  const now = options.now ?? Date.now;

  return {
    async createKey(body, creator) {
      const request = readCreateKeyRequest(body);
      const privileges = request.privileges ?? [...creator.privileges];
      const lacking = privilegesNotHeld(creator.privileges, privileges);
      if (lacking.length > 0) {
        throw privilegesExceeded(API_KEY_ACTION.create, creator, lacking);
      }

      const creation = now();
      const asked = request.expiresInMs === null
        ? null : creation + request.expiresInMs;
      return issueKey(store, {
        name: request.name,
        privileges,
        roleDescriptors: request.roleDescriptors,
        creation,
        expiration: earliest(asked, creator.expiration),
      }, options.scryptCost);
    },

    async getKeys(query) {
      const { id, name } = readGetKeysQuery(query);
      const keys = await findKeys(store, id === null ? null : [id], name);
      return { api_keys: keys.map(describeKey) };
    },

    async invalidateKeys(body) {
      const { ids, name } = readInvalidateKeysRequest(body);
      const response: InvalidateApiKeysResponse = {
        invalidated_api_keys: [],
        previously_invalidated_api_keys: [],
        error_count: 0,
      };

      // An id no key can have is unknown without asking the store.
      const targets = ids?.filter(isKeyId)
        ?? (await findKeys(store, null, name)).map((key) => key.id);
      try {
        for (const id of targets) {
          const outcome = await store.invalidateKey(id, now());
          // Unknown ids are left out, as the original leaves them out.
          if (outcome === 'invalidated') {
            response.invalidated_api_keys.push(id);
          } else if (outcome === 'already_invalidated') {
            response.previously_invalidated_api_keys.push(id);
          }
        }
      } finally {
        // Also when a later write fails: the earlier ones are done.
        options.onInvalidated?.([...response.invalidated_api_keys,
          ...response.previously_invalidated_api_keys]);
      }
      return response;
    },
  };
}

/**
 * The key for a fresh stack, made without a caller: the local service's
 * first start and `ml-intake keys create --local`. Show `encoded` once;
 * it cannot be read back.
 */
export async function createFirstKey(
  store: ApiKeyStore,
  options: { name: string; privileges: string[]; now?: () => number },
): Promise<CreateApiKeyResponse> {
  const unknown = options.privileges.filter((p) => !isClusterPrivilege(p));
  if (unknown.length > 0) {
    throw new Error(`unknown cluster privileges [${unknown.join(',')}]; `
      + `known: [${CLUSTER_PRIVILEGES.join(',')}]`);
  }

  return issueKey(store, {
    name: options.name,
    privileges: options.privileges,
    roleDescriptors: null,
    creation: (options.now ?? Date.now)(),
    expiration: null,
  });
}

interface NewKey {
  name: string;
  privileges: string[];
  roleDescriptors: RoleDescriptors | null;
  creation: number;
  expiration: number | null;
}

async function issueKey(
  store: ApiKeyStore, key: NewKey, cost?: ScryptCost,
): Promise<CreateApiKeyResponse> {
  const id = generateKeyId();
  const secret = generateSecret();
  const stored: StoredApiKey = {
    id,
    name: key.name,
    secretHash: await hashSecret(secret, cost),
    privileges: key.privileges,
    roleDescriptors: key.roleDescriptors,
    creation: key.creation,
    expiration: key.expiration,
    invalidated: false,
    invalidation: null,
  };
  await store.putKey(stored);

  return {
    id,
    name: key.name,
    ...(key.expiration === null ? {} : { expiration: key.expiration }),
    api_key: secret,
    encoded: encodeApiKey(id, secret),
  };
}

/**
 * A new key never outlives the key that made it: a key given for a day
 * must not be able to make keys that last for years.
 */
function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

async function findKeys(
  store: ApiKeyStore, ids: string[] | null, namePattern: string | null,
): Promise<StoredApiKey[]> {
  if (ids !== null) {
    const found = await Promise.all(
      ids.filter(isKeyId).map((id) => store.getKey(id)));
    return found.filter((key): key is StoredApiKey => key !== undefined);
  }

  const keys = await store.listKeys();
  if (namePattern === null) return keys;
  // `*` matches any run of characters, as in the original's name filter.
  return keys.filter((key) => matchesWildcard(namePattern, key.name));
}
