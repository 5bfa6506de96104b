export {
  createApiKeyAuthorizer,
  type ApiKeyAuthorizer,
  type ApiKeyAuthorizerOptions,
} from './authorizer.js';
export {
  createFirstKey,
  createKeyService,
  type CreateApiKeyResponse,
  type InvalidateApiKeysResponse,
  type KeyService,
  type KeyServiceOptions,
} from './keyService.js';
export type { ApiKeyInfo, RoleDescriptorInfo } from './keyInfo.js';
export {
  CLUSTER_PRIVILEGES,
  isClusterPrivilege,
  privilegesThatGrant,
  type ClusterPrivilege,
} from './privileges.js';
export type {
  ApiKeyPrincipal,
  ApiKeyStore,
  InvalidateOutcome,
  RoleDescriptors,
  StoredApiKey,
} from './types.js';
export {
  checkAuthMode, isLoopbackHost, isLoopbackHostHeader, localOnlyRefusal,
  type AuthMode,
} from './authMode.js';
export { createKeyAccess, type KeyAccess } from './keyAccess.js';
