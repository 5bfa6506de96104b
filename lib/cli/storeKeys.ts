import {
  createKeyService, type ApiKeyPrincipal, type ApiKeyStore,
} from '../auth/index.js';
import { MlError } from '../errors.js';
import { CliError } from './cliErrors.js';
import {
  newKeyBody, type CreatedKey, type NewKeyOptions,
} from './keysCommand.js';

/**
 * Who makes a key written straight into the store: whoever can write the
 * table could write any item, so the command is trusted with every
 * privilege, and a key made without `--privileges` gets all of them.
 */
const TABLE_WRITER: ApiKeyPrincipal = {
  keyId: 'table-writer',
  keyName: 'ml-intake keys create',
  privileges: ['all'],
  expiration: null,
};

/**
 * Makes a key in the store without asking a server, through the same key
 * service the server uses, so names, privileges and expirations are
 * checked and stored exactly as `POST /_security/api_key` would.
 */
export async function issueStoredKey(
  store: ApiKeyStore, options: NewKeyOptions,
): Promise<CreatedKey> {
  try {
    return await createKeyService(store)
      .createKey(newKeyBody(options), TABLE_WRITER);
  } catch (error) {
    // A refused name, privilege or expiration: the same words as the API.
    if (error instanceof MlError && error.status === 400) {
      throw new CliError(error.message);
    }
    throw error;
  }
}
