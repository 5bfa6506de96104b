import { CliError } from './cliErrors.js';
import type { CliIo } from './cliIo.js';
import type { ServerClient } from './serverClient.js';
import { columnsTable, formatTime } from './textTable.js';

export interface NewKeyOptions {
  name: string;
  /** Cluster privileges; the server gives the creator's when absent. */
  privileges?: string[];
  /** A time value such as `30d`. */
  expiration?: string;
}

/** The answer of a key creation, whichever way it was made. */
export interface CreatedKey {
  id: string;
  name: string;
  /** Epoch ms; absent for a key that never expires. */
  expiration?: number;
  encoded: string;
}

/** The body of `POST /_security/api_key` for these options. */
export function newKeyBody(options: NewKeyOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { name: options.name };
  if (options.expiration !== undefined) body.expiration = options.expiration;
  if (options.privileges !== undefined) {
    body.role_descriptors = { cli: { cluster: options.privileges } };
  }
  return body;
}

export function printCreatedKey(
  key: CreatedKey, json: boolean, io: CliIo,
): void {
  if (json) {
    io.stdout(`${JSON.stringify(key)}\n`);
    return;
  }
  const expires = key.expiration === undefined ? 'never expires'
    : `expires ${formatTime(key.expiration)}`;
  io.stdout(`created API key ${key.name} (id ${key.id}, ${expires}); it `
    + 'is shown only now, so keep it:\n\n'
    + `  export ML_API_KEY=${key.encoded}\n\n`
    + 'ml-intake reads ML_API_KEY (or --api-key); other clients send the '
    + "header 'Authorization: ApiKey <key>'.\n");
}

export async function createKey(
  client: ServerClient, options: NewKeyOptions, json: boolean, io: CliIo,
): Promise<void> {
  const key = await client.request('POST', '/_security/api_key',
    { json: newKeyBody(options) });
  printCreatedKey(key, json, io);
}

export async function listKeys(
  client: ServerClient, json: boolean, io: CliIo,
): Promise<void> {
  const answer = await client.request('GET', '/_security/api_key');
  if (json) {
    io.stdout(`${JSON.stringify(answer)}\n`);
    return;
  }
  const keys: Record<string, any>[] = answer.api_keys ?? [];
  io.stdout(columnsTable(['ID', 'NAME', 'CREATED', 'EXPIRES', 'STATE'],
    keys.map((key) => [
      key.id, key.name, formatTime(key.creation),
      key.expiration === undefined ? 'never' : formatTime(key.expiration),
      key.invalidated ? 'revoked' : 'valid',
    ])));
}

export async function revokeKeys(
  client: ServerClient, ids: string[], json: boolean, io: CliIo,
): Promise<void> {
  const answer = await client.request('DELETE', '/_security/api_key',
    { json: { ids } });
  const revoked: string[] = answer.invalidated_api_keys ?? [];
  const earlier: string[] = answer.previously_invalidated_api_keys ?? [];
  const unknown = ids.filter((id) => !revoked.includes(id)
    && !earlier.includes(id));
  const lines = [
    ...revoked.map((id) => `revoked ${id}`),
    ...earlier.map((id) => `${id} was already revoked`),
  ];
  if (json) io.stdout(`${JSON.stringify(answer)}\n`);
  else if (lines.length > 0) io.stdout(`${lines.join('\n')}\n`);
  // The others were revoked; the exit code says that not every id was.
  if (unknown.length > 0) {
    throw new CliError(`no key with id ${unknown.join(', ')}`);
  }
}
