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

/** The actions of the API key routes, under the key management prefix. */
export const API_KEY_ACTION = {
  create: `${API_KEY_ADMIN}create`,
  get: `${API_KEY_ADMIN}get`,
  invalidate: `${API_KEY_ADMIN}invalidate`,
} as const;

export const CLUSTER_PRIVILEGES = Object.keys(
  GRANTED_PREFIXES,
) as ClusterPrivilege[];

/** Creating, listing or invalidating API keys. */
export function isKeyManagementAction(action: string): boolean {
  return action.startsWith(API_KEY_ADMIN);
}

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

/**
 * Which privileges each one includes, by Elasticsearch's names rather
 * than by the actions they grant here: `all` includes every other one,
 * `manage` the ML and monitoring ones but not `manage_security`, and
 * `manage_ml` and `monitor` include `monitor_ml`. So `manage_ml` does not
 * include `manage` although here both grant the same actions: in
 * Elasticsearch `manage` grants far more, and a key keeps its names.
 */
const INCLUDES: Readonly<Record<ClusterPrivilege, readonly ClusterPrivilege[]>>
  = {
    monitor_ml: [],
    manage_ml: ['monitor_ml'],
    monitor: ['monitor_ml'],
    manage_security: [],
    manage: ['monitor_ml', 'manage_ml', 'monitor'],
    all: ['monitor_ml', 'manage_ml', 'monitor', 'manage_security', 'manage'],
  };

/** Whether holding `held` gives everything `wanted` gives. */
export function privilegeIncludes(held: string, wanted: string): boolean {
  if (!isClusterPrivilege(held) || !isClusterPrivilege(wanted)) return false;
  return held === wanted || INCLUDES[held].includes(wanted);
}

/** The privileges in `wanted` that none of `held` includes. */
export function privilegesNotHeld(
  held: readonly string[], wanted: readonly string[],
): string[] {
  return wanted.filter((privilege) =>
    !held.some((owned) => privilegeIncludes(owned, privilege)));
}
