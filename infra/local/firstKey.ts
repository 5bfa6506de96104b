import { chmod, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFirstKey } from '../../lib/auth/keyService.js';
import type { ApiKeyStore } from '../../lib/auth/types.js';

/**
 * The local service's first API key: made on the first start, when the
 * store holds no key at all, with every privilege, and saved where only
 * its owner can read it. Its secret is shown nowhere else.
 */
export const KEY_FILE_NAME = 'api-key';
export const FIRST_KEY_NAME = 'local-admin';

export interface FirstKeyOutcome {
  /** `<dataDir>/api-key`. */
  path: string;
  /** True when this start made the key and wrote the file. */
  created: boolean;
  /** False when keys exist but the file was removed since. */
  fileExists: boolean;
}

export async function ensureFirstKey(
  store: ApiKeyStore, dataDir: string, now: () => number = Date.now,
): Promise<FirstKeyOutcome> {
  const path = join(dataDir, KEY_FILE_NAME);
  if ((await store.listKeys()).length > 0) {
    return { path, created: false, fileExists: await exists(path) };
  }

  const key = await createFirstKey(store,
    { name: FIRST_KEY_NAME, privileges: ['all'], now });
  // A file left from an earlier store would keep its old mode if written
  // over, so it is replaced; 0600 is set again in case the umask is odd.
  await rm(path, { force: true });
  await writeFile(path, `${key.encoded}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
  return { path, created: true, fileExists: true };
}

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
  if (outcome.fileExists) {
    return `API key in ${outcome.path}. Use it with:\n${use}`;
  }
  return `API keys are required, and ${outcome.path} is gone: use a key `
    + 'you created, or start with an empty ML_DATA_DIR for a new first key.';
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
