import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../../lib/cli/cliErrors.js';
import type { LocalKey, LocalKeyOptions } from '../../lib/cli/cliIo.js';
import { issueStoredKey } from '../../lib/cli/storeKeys.js';
import { createApiKeyStore } from '../../lib/store/apiKeyStore.js';
import { createDynamoClient } from '../../lib/store/clients.js';
import { ensureTable } from '../../lib/store/table.js';
import { isDataInUse } from './dataLock.js';
import { KEY_FILE_NAME, saveKeyFile } from './firstKey.js';
import { startLocalDynamo } from './localDynamo.js';

/**
 * `ml-intake keys create --local`, handed to the CLI by bin/ml-intake.ts
 * so that lib/cli never loads a local stand-in. Writes a key straight
 * into the local service's store, for the first key, when no key exists
 * to ask the server with. dynalite keeps its data in LevelDB, which one
 * process at a time may open: while the server runs this fails, and the
 * server is the way to make keys. With `save` the key replaces the one
 * in the `api-key` file, as a new first key after the old one was revoked.
 */
export async function createLocalKey(
  options: LocalKeyOptions,
): Promise<LocalKey> {
  const path = join(options.dataDir, 'dynamodb');
  if (!existsSync(path)) {
    throw new CliError(`no local data in ${options.dataDir}: start the `
      + "service once with 'ml-intake serve', stop it, then try again");
  }

  if (await isDataInUse(path)) {
    throw new CliError(`the local data in ${options.dataDir} is in use by a `
      + 'running server; create the key through it instead: '
      + "'ml-intake keys create --name <name>' with an API key that may "
      + 'manage keys');
  }

  const dynamo = await startLocalDynamo(path);
  // The stand-in keys of clients.ts, whatever AWS keys the shell holds.
  const client = createDynamoClient({ endpoint: dynamo.url }, {});

  try {
    await ensureTable(client, options.tableName);
    const store = createApiKeyStore(client, options.tableName);
    const key = await issueStoredKey(store, options);
    if (!options.save) return key;
    const savedTo = join(options.dataDir, KEY_FILE_NAME);
    await saveKeyFile(savedTo, key.encoded);
    return { ...key, savedTo };
  } finally {
    client.destroy();
    await dynamo.close();
  }
}
