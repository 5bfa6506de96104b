import type { KeyManagement } from '../api/securityRoutes.js';
import {
  createApiKeyAuthorizer, type ApiKeyAuthorizer,
  type ApiKeyAuthorizerOptions,
} from './authorizer.js';
import { createKeyService, type KeyServiceOptions } from './keyService.js';
import type { ApiKeyStore } from './types.js';

/** What the API takes to check keys and to manage them, from one store. */
export interface KeyAccess {
  authorizer: ApiKeyAuthorizer;
  keyManagement: KeyManagement;
}

export function createKeyAccess(
  store: ApiKeyStore,
  options: {
    authorizer?: ApiKeyAuthorizerOptions;
    keys?: KeyServiceOptions;
  } = {},
): KeyAccess {
  const authorizer = createApiKeyAuthorizer(store, options.authorizer);
  const keys = createKeyService(store, {
    ...options.keys,
    onInvalidated: (ids) => authorizer.forget(ids),
  });
  return {
    authorizer,
    keyManagement: {
      keys,
      // The creator's privileges and expiry as the store has them now.
      authenticate: (request) =>
        authorizer.authenticate(request, { fresh: true }),
    },
  };
}
