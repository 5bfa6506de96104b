/**
 * The cluster privileges this service knows, ordered as Elasticsearch
 * lists the privileges that grant an action: least access first, `all`
 * last. Each grants the actions that start with one of its prefixes.
 *
 * `manage` does not include security management in Elasticsearch (it
 * excludes `cluster:admin/xpack/security/*`); only `manage_security` and
 * `all` grant the API key actions.
 */
const ML_ADMIN = 'cluster:admin/xpack/ml/';
const ML_MONITOR = 'cluster:monitor/xpack/ml/';
const API_KEY_ADMIN = 'cluster:admin/xpack/security/api_key/';

const GRANTED_PREFIXES = {
  monitor_ml: [ML_MONITOR],
  manage_ml: [ML_ADMIN, ML_MONITOR],
  monitor: [ML_MONITOR],
  manage_security: [API_KEY_ADMIN],
  manage: [ML_ADMIN, ML_MONITOR],
  all: [ML_ADMIN, ML_MONITOR, API_KEY_ADMIN],
} as const satisfies Record<string, readonly string[]>;

export type ClusterPrivilege = keyof typeof GRANTED_PREFIXES;

export const CLUSTER_PRIVILEGES = Object.keys(
  GRANTED_PREFIXES,
) as ClusterPrivilege[];

export function isClusterPrivilege(name: string): name is ClusterPrivilege {
  return Object.hasOwn(GRANTED_PREFIXES, name);
}

export function privilegeGrants(
  privilege: string, action: string,
): boolean {
  if (!isClusterPrivilege(privilege)) return false;

  const prefixes: readonly string[] = GRANTED_PREFIXES[privilege];
  return prefixes.some((prefix) => action.startsWith(prefix));
}

export function anyPrivilegeGrants(
  privileges: readonly string[], action: string,
): boolean {
  return privileges.some((privilege) => privilegeGrants(privilege, action));
}

/** The names that would allow `action`, for the 403 message. */
export function privilegesThatGrant(action: string): ClusterPrivilege[] {
  return CLUSTER_PRIVILEGES.filter((name) => privilegeGrants(name, action));
}
