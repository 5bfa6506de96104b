import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { ROUTES } from '../../lib/api/routes.js';
import { encodeApiKey } from '../../lib/auth/secretHash.js';
import {
  ADMIN, apiEvent, bodyOf, startRealHandler, withKey,
} from './realHandler.js';

/**
 * Every offered route, tried with each kind of caller. The cases come
 * from the route table, so a route added later is covered without a
 * change here. The job named does not exist: a refusal must come before
 * any job lookup (spec §9), so it is the same whether the job exists.
 */

const JOB = 'no-such-job';
const DAY_MS = 86_400_000;
const T0 = 1_800_000_000_000;
let clock = T0;

// The reason Elasticsearch gives whenever a presented key does not work;
// the cause is named only in additional_unsuccessful_credentials.
const UNABLE = 'unable to authenticate with provided credentials and '
  + 'anonymous access is not allowed for this request';

/**
 * Who may run an action. ML actions: spec §9 ("granted by the cluster
 * privileges [manage_ml,manage,all]"). API key actions: only
 * manage_security and all (DESIGN: manage does not include security).
 */
const GRANTED_BY: Array<[prefix: string, privileges: string]> = [
  ['cluster:admin/xpack/ml/', 'manage_ml,manage,all'],
  ['cluster:admin/xpack/security/', 'manage_security,all'],
];

const cases = ROUTES
  .flatMap((route) => route.paths.map((pattern) => ({
    method: route.method,
    path: pattern.replace('{job_id}', JOB),
    action: route.action,
  })));

let setup: Awaited<ReturnType<typeof startRealHandler>>;
const keys: Record<string, { id: string; encoded: string; name: string }> =
  {};

beforeAll(async () => {
  setup = await startRealHandler(inject('dynamoUrl'), { now: () => clock });
  const make = async (name: string, privileges: string[], extra = {}) => {
    keys[name] = await setup.keys.createKey({
      name, role_descriptors: { role: { cluster: privileges } }, ...extra,
    }, ADMIN);
  };
  await make('monitor', ['monitor_ml']);
  await make('manager', ['manage_ml']);
  await make('revoked', ['all']);
  await setup.keys.invalidateKeys({ ids: [keys.revoked.id] });
  // Made two days ago, valid for one.
  clock = T0 - 2 * DAY_MS;
  await make('expired', ['all'], { expiration: '1d' });
  clock = T0;
});

afterAll(() => setup.close());

async function call(
  testCase: (typeof cases)[number], headers: Record<string, string> = {},
) {
  const result = await setup.handler(
    apiEvent(testCase.method, testCase.path, { headers }));
  return { status: result.statusCode, body: bodyOf(result) };
}

function grantedBy(action: string): string {
  const entry = GRANTED_BY.find(([prefix]) => action.startsWith(prefix));
  if (entry === undefined) throw new Error(`no privilege list: ${action}`);
  return entry[1];
}

const label = (c: (typeof cases)[number]) => `${c.method} ${c.path}`;

describe.each(cases.map((c) => [label(c), c] as const))('%s', (_l, c) => {
  test('without a key is refused with 401 and the request URI', async () => {
    const { status, body } = await call(c);

    expect(status).toBe(401);
    expect(body.error.type).toBe('security_exception');
    expect(body.error.reason).toBe(
      `missing authentication credentials for REST request [${c.path}]`);
    expect(body.error.header).toEqual({ 'WWW-Authenticate': 'ApiKey' });
  });

  test('with a wrong secret is refused with 401', async () => {
    const bad = encodeApiKey(keys.manager.id, 'not-the-secret');

    const { status, body } = await call(c, withKey(bad));

    expect(status).toBe(401);
    expect(body.error.type).toBe('security_exception');
    expect(body.error.reason).toBe(UNABLE);
    expect(body.error.additional_unsuccessful_credentials).toBe(
      `API key: invalid credentials for API key [${keys.manager.id}]`);
  });

  test('with an invalidated key is refused with 401', async () => {
    const { status, body } = await call(c, withKey(keys.revoked.encoded));

    expect(status).toBe(401);
    expect(body.error.reason).toBe(UNABLE);
    expect(body.error.additional_unsuccessful_credentials).toBe(
      `API key: api key [${keys.revoked.id}] has been invalidated`);
  });

  test('with an expired key is refused with 401', async () => {
    const { status, body } = await call(c, withKey(keys.expired.encoded));

    expect(status).toBe(401);
    expect(body.error.reason).toBe(UNABLE);
    expect(body.error.additional_unsuccessful_credentials)
      .toBe('API key: api key is expired');
  });

  for (const [name, allowedPrefixes] of [
    ['monitor', ['cluster:monitor/xpack/ml/']],
    ['manager', ['cluster:admin/xpack/ml/', 'cluster:monitor/xpack/ml/']],
  ] as const) {
    const allowed = allowedPrefixes.some((p) => c.action.startsWith(p));
    const privilege = name === 'monitor' ? 'monitor_ml' : 'manage_ml';

    test(`with a ${privilege} key is ${allowed ? 'let through' : '403'}`,
      async () => {
        const key = keys[name];

        const { status, body } = await call(c, withKey(key.encoded));

        if (allowed) {
          expect(status).not.toBe(401);
          expect(status).not.toBe(403);
          expect(body.error?.type).not.toBe('security_exception');
          return;
        }
        expect(status).toBe(403);
        expect(body.error.type).toBe('security_exception');
        expect(body.error.reason).toBe(`action [${c.action}] is `
          + `unauthorized for user [${name}], this action is granted by `
          + `the cluster privileges [${grantedBy(c.action)}]`);
      });
  }
});

test('the route table offers the job, data and key routes', () => {
  // 10 job routes on both /_ml and /_xpack/ml, and 4 key routes.
  expect(cases.length).toBeGreaterThanOrEqual(24);
});
