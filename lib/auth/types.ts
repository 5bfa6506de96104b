/** One API key as stored: the secret only as a salted scrypt hash. */
export interface StoredApiKey {
  /** Random and URL-safe; the `id` half of `base64(id:secret)`. */
  id: string;
  name: string;
  /** `scrypt$N$r$p$salt$hash` (see secretHash.ts); never the secret. */
  secretHash: string;
  /** Cluster privilege names, e.g. `manage_ml`. */
  privileges: string[];
  /**
   * The role descriptors the key was made with, by role name; null for a
   * key made without them (it took its creator's privileges) and for one
   * stored before they were kept.
   */
  roleDescriptors: RoleDescriptors | null;
  /** Epoch ms. */
  creation: number;
  /** Epoch ms after which the key stops working; null: never. */
  expiration: number | null;
  invalidated: boolean;
  /** Epoch ms of the invalidation; null while the key is valid. */
  invalidation: number | null;
}

/** The part of Elasticsearch's role descriptors that this service has. */
export type RoleDescriptors = Record<string, { cluster: string[] }>;

export type InvalidateOutcome = 'invalidated' | 'already_invalidated'
  | 'missing';

/** Persistence of API keys; implemented in lib/store/apiKeyStore.ts. */
export interface ApiKeyStore {
  /** Writes a new key. Throws ApiKeyExistsError when the id is taken. */
  putKey(key: StoredApiKey): Promise<void>;
  /** Consistent read; undefined for an unknown id. */
  getKey(id: string): Promise<StoredApiKey | undefined>;
  /** Every key, invalidated and expired ones included, oldest first. */
  listKeys(): Promise<StoredApiKey[]>;
  /** Marks the key invalidated at `nowMs` unless it already is. */
  invalidateKey(id: string, nowMs: number): Promise<InvalidateOutcome>;
}

/** Who a request runs as once its API key has been verified. */
export interface ApiKeyPrincipal {
  keyId: string;
  /**
   * Shown as the user in denial messages: keys are not owned by users
   * here, so the key's own name stands in for Elasticsearch's owner.
   */
  keyName: string;
  privileges: readonly string[];
  expiration: number | null;
}
