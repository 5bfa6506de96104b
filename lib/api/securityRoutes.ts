import type { KeyService } from '../auth/keyService.js';
import { API_KEY_ACTION } from '../auth/privileges.js';
import type { ApiKeyPrincipal } from '../auth/types.js';
import { MlError } from '../errors.js';
import type { RouteContext, RouteSpec } from './routes.js';
import type { HttpRequest } from './types.js';

/** Defined next to the privileges that grant them. */
export { API_KEY_ACTION };

/**
 * The API key routes of Elasticsearch's security API: create, get and
 * invalidate. Their privileges are checked like any route's, before the
 * call; the caller's own key then names the creator of a new key.
 */

/** What the API needs to manage keys: the service and who is calling. */
export interface KeyManagement {
  keys: KeyService;
  /**
   * The key behind a request as the store has it now (never from a
   * cache: it decides what a new key may get), or MlError 401.
   */
  authenticate(request: HttpRequest): Promise<ApiKeyPrincipal>;
}

/** The key operations as one request sees them. */
export interface KeyContext {
  keys: KeyService;
  caller(): Promise<ApiKeyPrincipal>;
}

export function keyContextFor(
  management: KeyManagement | undefined, request: HttpRequest,
): KeyContext | undefined {
  if (management === undefined) return undefined;
  return {
    keys: management.keys,
    caller: () => management.authenticate(request),
  };
}

const PATHS = ['/_security/api_key'];

const base = {
  paths: PATHS, params: [], singleJobId: false, status: 200,
} as const;

async function createKey(context: RouteContext): Promise<object> {
  const { keys, caller } = keyContext(context);
  return keys.createKey(context.json, await caller());
}

export const SECURITY_ROUTES: readonly RouteSpec[] = [
  {
    ...base, method: 'POST', action: API_KEY_ACTION.create,
    body: 'json-required', call: createKey,
  },
  {
    ...base, method: 'PUT', action: API_KEY_ACTION.create,
    body: 'json-required', call: createKey,
  },
  {
    ...base, method: 'GET', action: API_KEY_ACTION.get,
    params: ['id', 'name'], body: 'none',
    call: (c) => keyContext(c).keys.getKeys({
      id: c.args.text('id'), name: c.args.text('name'),
    }),
  },
  {
    ...base, method: 'DELETE', action: API_KEY_ACTION.invalidate,
    body: 'json-required',
    call: (c) => keyContext(c).keys.invalidateKeys(c.json),
  },
];

/**
 * With authentication off (`ML_AUTH=off`, loopback only) there is no
 * caller to own a key, so key management is refused rather than run
 * without one.
 */
function keyContext(context: RouteContext): KeyContext {
  if (context.keys !== undefined) return context.keys;
  throw new MlError(400, 'security_exception',
    'API keys cannot be managed while authentication is off '
    + '(ML_AUTH=off); start the server with ML_AUTH=on');
}
