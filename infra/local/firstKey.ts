import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readApiKeyHeader } from '../../lib/auth/credentials.js';
import { createFirstKey } from '../../lib/auth/keyService.js';
import { isKeyId, verifySecret } from '../../lib/auth/secretHash.js';
import type { ApiKeyStore } from '../../lib/auth/types.js';

/**
 * The local service's first API key: made on the first start, when the
 * store holds no key at all, with every privilege, and saved where only
 * its owner can read it. Its secret is shown nowhere else.
 */
export const KEY_FILE_NAME = 'api-key';
export const FIRST_KEY_NAME = 'local-admin';

/**
 * What the key in the file is to the store: one that works, one revoked
 * or expired since, or none of its keys (an edited file, or one left
 * from another store); `missing` when there is no file.
 */
export type SavedKeyState = 'valid' | 'revoked' | 'expired' | 'unknown'
  | 'missing';

export interface FirstKeyOutcome {
  /** `<dataDir>/api-key`. */
  path: string;
  /** True when this start made the key and wrote the file. */
  created: boolean;
  /** `missing` when keys exist but the file was removed since. */
  savedKey: SavedKeyState;
}

export async function ensureFirstKey(
  store: ApiKeyStore, dataDir: string, now: () => number = Date.now,
): Promise<FirstKeyOutcome> {
  const path = join(dataDir, KEY_FILE_NAME);
  if ((await store.listKeys()).length > 0) {
    return { path, created: false,
      savedKey: await savedKeyState(store, path, now()) };
  }

  const key = await createFirstKey(store,
    { name: FIRST_KEY_NAME, privileges: ['all'], now });
  await saveKeyFile(path, key.encoded);
  return { path, created: true, savedKey: 'valid' };
}

/** Writes `encoded` to `path`, readable by its owner only. */
export async function saveKeyFile(
  path: string, encoded: string,
): Promise<void> {
  // A file left from an earlier key would keep its old mode if written
  // over, so it is replaced; 0600 is set again in case the umask is odd.
  await rm(path, { force: true });
  await writeFile(path, `${encoded}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
}

/**
 * Checks the saved key as the authorizer would, once per start: one
 * store read and one scrypt run (tens of ms).
 */
async function savedKeyState(
  store: ApiKeyStore, path: string, nowMs: number,
): Promise<SavedKeyState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return 'missing';
  }
  const header = readApiKeyHeader(`ApiKey ${text.trim()}`);
  if (header.kind !== 'present' || !isKeyId(header.id)) return 'unknown';

  const key = await store.getKey(header.id);
  if (key === undefined) return 'unknown';
  if (!(await verifySecret(header.secret, key.secretHash))) return 'unknown';
  if (key.invalidated) return 'revoked';
  if (key.expiration !== null && key.expiration <= nowMs) return 'expired';
  return 'valid';
}

const NOT_VALID: Record<Exclude<SavedKeyState, 'valid'>, string> = {
  revoked: 'The API key in <file> has been revoked',
  expired: 'The API key in <file> has expired',
  unknown: 'The API key in <file> is not a key of this data folder',
  missing: 'API keys are required, and <file> is gone',
};

/** What `serve` prints about the key, once per start. */
export function firstKeyMessage(
  outcome: FirstKeyOutcome, url: string,
): string {
  const use = [
    `  export ML_API_KEY=$(cat ${outcome.path})`,
    '  curl -H "Authorization: ApiKey $ML_API_KEY" '
      + `${url}/_ml/anomaly_detectors`,
  ].join('\n');
  if (outcome.created) {
    return `Created the first API key (privilege: all) in ${outcome.path}, `
      + 'readable by you only. Use it with:\n' + use;
  }
  if (outcome.savedKey !== 'valid') {
    return `${NOT_VALID[outcome.savedKey].replace('<file>', outcome.path)}: `
      + 'use another key you created, or stop the server and save a new '
      + 'one there with \'ml-intake keys create --local --data-dir '
      + `${dirname(outcome.path)} --save'.`;
  }
  return `API key in ${outcome.path}. Use it with:\n${use}`;
}
