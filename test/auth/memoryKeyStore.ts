import type {
  ApiKeyStore, InvalidateOutcome, StoredApiKey,
} from '../../lib/auth/types.js';

/**
 * An in-memory ApiKeyStore with the DynamoDB store's contract, so the
 * authorizer and key service tests run without a server; the DynamoDB
 * store itself is tested against dynalite in apiKeyStore.test.ts.
 */
export interface MemoryKeyStore extends ApiKeyStore {
  readonly items: Map<string, StoredApiKey>;
  /** How many times getKey ran: what the cache saves. */
  readonly reads: { count: number };
}

export function createMemoryKeyStore(): MemoryKeyStore {
  const items = new Map<string, StoredApiKey>();
  const reads = { count: 0 };

  return {
    items,
    reads,
    async putKey(key) {
      if (items.has(key.id)) throw new Error(`duplicate ${key.id}`);
      items.set(key.id, structuredClone(key));
    },
    async getKey(id) {
      reads.count += 1;
      const key = items.get(id);
      return key === undefined ? undefined : structuredClone(key);
    },
    async listKeys() {
      return [...items.values()]
        .sort((a, b) => a.creation - b.creation || a.id.localeCompare(b.id))
        .map((key) => structuredClone(key));
    },
    async invalidateKey(id, nowMs): Promise<InvalidateOutcome> {
      const key = items.get(id);
      if (key === undefined) return 'missing';
      if (key.invalidated) return 'already_invalidated';
      key.invalidated = true;
      key.invalidation = nowMs;
      return 'invalidated';
    },
  };
}
