import { MlError } from '../errors.js';
import { privilegesThatGrant } from './privileges.js';
import type { ApiKeyPrincipal } from './types.js';

/**
 * API keys are the only scheme here, so the challenge names only it.
 * Elasticsearch echoes the challenge inside the error object as `header`;
 * with one value it renders a string, not a list.
 */
const CHALLENGE = 'ApiKey';

const challenge = () => ({
  headers: { 'WWW-Authenticate': CHALLENGE },
});

/** No `Authorization: ApiKey ...` header at all. */
export function missingCredentials(uri: string): MlError {
  return new MlError(401, 'security_exception',
    `missing authentication credentials for REST request [${uri}]`, {
      ...challenge(),
      metadata: { header: { 'WWW-Authenticate': CHALLENGE } },
    });
}

/**
 * An API key was given but did not authenticate. Elasticsearch hides the
 * cause in the reason and names it in `additional_unsuccessful_credentials`,
 * prefixed with the authenticator's name.
 */
export function unsuccessfulApiKey(cause: string): MlError {
  return new MlError(401, 'security_exception',
    'unable to authenticate with provided credentials and anonymous '
    + 'access is not allowed for this request', {
      ...challenge(),
      metadata: {
        additional_unsuccessful_credentials: `API key: ${cause}`,
        header: { 'WWW-Authenticate': CHALLENGE },
      },
    });
}

/**
 * Spec §9's wording: "action [<action>] is unauthorized for user [<name>]"
 * and the privileges that would grant it. Keys are not owned by users
 * here, so the key's own name stands in for the user; Elasticsearch's
 * "with effective roles [...]" is left out, as no roles exist here.
 */
export function actionDenied(
  action: string, principal: ApiKeyPrincipal,
): MlError {
  const granting = privilegesThatGrant(action);
  const grantedBy = granting.length === 0 ? ''
    : ', this action is granted by the cluster privileges '
      + `[${granting.join(',')}]`;

  return new MlError(403, 'security_exception',
    `action [${action}] is unauthorized for user `
    + `[${principal.keyName}]${grantedBy}`);
}

/**
 * A key may not hand out more than it holds: Elasticsearch limits every
 * key by its owner's privileges, and here a key's only owner is the key
 * that made it. Worded like actionDenied, with the privileges lacking.
 */
export function privilegesExceeded(
  action: string, creator: ApiKeyPrincipal, lacking: readonly string[],
): MlError {
  return new MlError(403, 'security_exception',
    `action [${action}] is unauthorized for user [${creator.keyName}], `
    + 'a new API key may not have the cluster privileges '
    + `[${lacking.join(',')}], which its creator does not have`);
}
