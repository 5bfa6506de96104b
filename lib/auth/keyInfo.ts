import type { StoredApiKey } from './types.js';

/**
 * One key as `GET /_security/api_key` shows it: never its secret or hash,
 * always what it may do, so that a key with `all` stands out in a listing.
 */
export interface ApiKeyInfo {
  id: string;
  name: string;
  type: 'rest';
  creation: number;
  expiration?: number;
  invalidated: boolean;
  invalidation?: number;
  role_descriptors: Record<string, RoleDescriptorInfo>;
}

/**
 * A role descriptor in Elasticsearch's full form. Only `cluster` can be
 * set here; the other fields are shown empty, as the original shows them
 * for a role without index, application or run-as privileges.
 */
export interface RoleDescriptorInfo {
  cluster: string[];
  indices: [];
  applications: [];
  run_as: [];
  metadata: Record<string, never>;
  transient_metadata: { enabled: true };
}

export function describeKey(key: StoredApiKey): ApiKeyInfo {
  return {
    id: key.id,
    name: key.name,
    type: 'rest',
    creation: key.creation,
    ...(key.expiration === null ? {} : { expiration: key.expiration }),
    invalidated: key.invalidated,
    ...(key.invalidation === null ? {} : { invalidation: key.invalidation }),
    role_descriptors: describeRoles(key),
  };
}

/**
 * The descriptors the key was made with. A key made without them (its
 * privileges came from its creator, or it is a first key) or stored
 * before they were kept shows its privileges as one descriptor named
 * after the key: the original would show none and leave the privileges
 * to its `limited_by`, which this service does not have.
 */
function describeRoles(
  key: StoredApiKey,
): Record<string, RoleDescriptorInfo> {
  const roles = key.roleDescriptors
    ?? { [key.name]: { cluster: key.privileges } };
  return Object.fromEntries(Object.entries(roles)
    .map(([role, { cluster }]) => [role, describeRole(cluster)]));
}

function describeRole(cluster: readonly string[]): RoleDescriptorInfo {
  return {
    cluster: [...cluster], indices: [], applications: [], run_as: [],
    metadata: {}, transient_metadata: { enabled: true },
  };
}
