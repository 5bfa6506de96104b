import { describe, expect, test } from 'vitest';
import {
  CLUSTER_PRIVILEGES, anyPrivilegeGrants, privilegeGrants,
  privilegeIncludes, privilegesNotHeld, privilegesThatGrant,
} from '../../lib/auth/privileges.js';

const ML_ADMIN_ACTIONS = [
  'put', 'open', 'close', 'flush', 'delete', 'data/post', 'data/upload',
].map((name) => `cluster:admin/xpack/ml/job/${name}`);
const ML_MONITOR_ACTIONS = ['get', 'stats/get', 'uploads/get']
  .map((name) => `cluster:monitor/xpack/ml/job/${name}`);
const API_KEY_ACTIONS = ['create', 'invalidate', 'get']
  .map((name) => `cluster:admin/xpack/security/api_key/${name}`);

/**
 * Spec §9: manage_ml, manage and all grant cluster:admin/xpack/ml/* and
 * cluster:monitor/xpack/ml/*; monitor_ml and monitor only the monitor
 * half; manage_security and all the API key actions (manage does not).
 */
const EXPECTED: Record<string, [admin: boolean, monitor: boolean,
  apiKey: boolean]> = {
  manage_ml: [true, true, false],
  manage: [true, true, false],
  all: [true, true, true],
  monitor_ml: [false, true, false],
  monitor: [false, true, false],
  manage_security: [false, false, true],
};

describe('privilegeGrants', () => {
  for (const [privilege, [admin, monitor, apiKey]] of
    Object.entries(EXPECTED)) {
    test.each(ML_ADMIN_ACTIONS)(`${privilege} grants %s: ${admin}`,
      (action) => {
        expect(privilegeGrants(privilege, action)).toBe(admin);
      });
    test.each(ML_MONITOR_ACTIONS)(`${privilege} grants %s: ${monitor}`,
      (action) => {
        expect(privilegeGrants(privilege, action)).toBe(monitor);
      });
    test.each(API_KEY_ACTIONS)(`${privilege} grants %s: ${apiKey}`,
      (action) => {
        expect(privilegeGrants(privilege, action)).toBe(apiKey);
      });
  }

  test('an unknown privilege name grants nothing', () => {
    expect(privilegeGrants('manage_watcher',
      'cluster:admin/xpack/ml/job/put')).toBe(false);
    expect(privilegeGrants('toString',
      'cluster:admin/xpack/ml/job/put')).toBe(false);
  });

  test('a prefix must match from the start of the action', () => {
    expect(privilegeGrants('monitor_ml',
      'cluster:admin/cluster:monitor/xpack/ml/job/get')).toBe(false);
  });

  test('a set of privileges grants what any one of them grants', () => {
    const action = 'cluster:admin/xpack/ml/job/data/post';
    expect(anyPrivilegeGrants(['monitor_ml', 'manage'], action)).toBe(true);
    expect(anyPrivilegeGrants(['monitor_ml'], action)).toBe(false);
    expect(anyPrivilegeGrants([], action)).toBe(false);
  });
});

describe('privilegesThatGrant', () => {
  test('lists manage_ml, manage, all for post data as spec §9 quotes', () => {
    expect(privilegesThatGrant('cluster:admin/xpack/ml/job/data/post'))
      .toEqual(['manage_ml', 'manage', 'all']);
  });

  test('lists the least privileged first for a monitor action', () => {
    // monitor_ml implies nothing else, manage_ml implies monitor_ml,
    // monitor implies every monitor_*, manage implies monitor, all
    // implies everything: Elasticsearch's order by access level.
    expect(privilegesThatGrant('cluster:monitor/xpack/ml/job/get'))
      .toEqual(['monitor_ml', 'manage_ml', 'monitor', 'manage', 'all']);
  });

  test('lists manage_security, all for an API key action', () => {
    // The original's own test expects "[manage_security,all]" for a
    // security management action.
    expect(privilegesThatGrant('cluster:admin/xpack/security/api_key/get'))
      .toEqual(['manage_security', 'all']);
  });

  test('lists nothing for an action no privilege grants', () => {
    expect(privilegesThatGrant('indices:data/read/search')).toEqual([]);
  });
});

/**
 * Elasticsearch's inclusions among these names: all includes everything,
 * manage the ML and monitor privileges (not security), manage_ml and
 * monitor include monitor_ml; every privilege includes itself.
 */
const INCLUDED: Record<string, string[]> = {
  monitor_ml: ['monitor_ml'],
  manage_ml: ['manage_ml', 'monitor_ml'],
  monitor: ['monitor', 'monitor_ml'],
  manage_security: ['manage_security'],
  manage: ['manage', 'manage_ml', 'monitor', 'monitor_ml'],
  all: ['all', 'manage', 'manage_ml', 'manage_security', 'monitor',
    'monitor_ml'],
};

describe('privilegeIncludes', () => {
  for (const held of CLUSTER_PRIVILEGES) {
    test(`${held} includes exactly ${INCLUDED[held].join(', ')}`, () => {
      const included = CLUSTER_PRIVILEGES
        .filter((wanted) => privilegeIncludes(held, wanted));
      expect(included.sort()).toEqual([...INCLUDED[held]].sort());
    });
  }

  test('never includes a privilege that grants an action it does not', () => {
    const actions = [...ML_ADMIN_ACTIONS, ...ML_MONITOR_ACTIONS,
      ...API_KEY_ACTIONS];
    for (const held of CLUSTER_PRIVILEGES) {
      for (const wanted of CLUSTER_PRIVILEGES) {
        if (!privilegeIncludes(held, wanted)) continue;
        for (const action of actions) {
          if (!privilegeGrants(wanted, action)) continue;
          expect(privilegeGrants(held, action), `${held} ${action}`)
            .toBe(true);
        }
      }
    }
  });

  test('includes nothing for or in an unknown name', () => {
    expect(privilegeIncludes('all', 'manage_watcher')).toBe(false);
    expect(privilegeIncludes('toString', 'toString')).toBe(false);
  });
});

describe('privilegesNotHeld', () => {
  test.each([
    [['manage_security'], ['all'], ['all']],
    [['manage_security'], ['manage_ml', 'monitor_ml'],
      ['manage_ml', 'monitor_ml']],
    [['manage_ml', 'manage_security'], ['monitor_ml', 'manage_security'], []],
    [['manage_ml'], ['manage'], ['manage']],
    [['manage'], ['manage_security', 'monitor'], ['manage_security']],
    [['all'], [...CLUSTER_PRIVILEGES], []],
    [[], ['monitor_ml'], ['monitor_ml']],
    [['monitor_ml'], [], []],
  ])('of %j, asked for %j, lacks %j', (held, wanted, lacking) => {
    expect(privilegesNotHeld(held, wanted)).toEqual(lacking);
  });
});
