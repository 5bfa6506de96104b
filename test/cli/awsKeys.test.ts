import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createApiKeyAuthorizer } from '../../lib/auth/index.js';
import type { HttpRequest } from '../../lib/api/types.js';
import { createApiKeyStore } from '../../lib/store/apiKeyStore.js';
import { ensureTable } from '../../lib/store/table.js';
import { cli } from './cliHarness.js';

// dynalite stands in for the deployed table; the CLI finds it as it would
// find any endpoint, through AWS_ENDPOINT_URL_DYNAMODB.
const TABLE = `cli-aws-keys-${randomUUID()}`;
const env = {
  AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoUrl'),
  AWS_REGION: 'eu-west-1',
};
const client = new DynamoDBClient({
  endpoint: inject('dynamoUrl'), region: 'eu-west-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const store = createApiKeyStore(client, TABLE);
const THIRTY_DAYS_MS = 30 * 86_400_000;

beforeAll(async () => {
  await ensureTable(client, TABLE);
});
afterAll(() => client.destroy());

function requestWith(encoded: string): HttpRequest {
  return {
    method: 'GET', path: '/_ml/anomaly_detectors',
    query: new URLSearchParams(),
    headers: { authorization: `ApiKey ${encoded}` },
    body: new Uint8Array(),
  };
}

describe('ml-intake keys create --aws', () => {
  test('writes a key the authorizer then accepts, with its privileges '
    + 'and expiration', async () => {
    const before = Date.now();
    const result = await cli(['--json', 'keys', 'create', '--aws',
      '--table', TABLE, '--name', 'ingest', '--privileges',
      'manage_ml,monitor_ml', '--expiration', '30d'], env);
    const after = Date.now();

    expect(result.stderr).toBe('');
    const key = JSON.parse(result.stdout);
    expect(key).toMatchObject({ name: 'ingest', table: TABLE,
      region: 'eu-west-1' });
    const principal = await createApiKeyAuthorizer(store)
      .authenticate(requestWith(key.encoded));
    expect(principal).toMatchObject({ keyId: key.id, keyName: 'ingest' });
    // The privileges are a set; their order is not kept.
    expect([...principal.privileges].sort())
      .toEqual(['manage_ml', 'monitor_ml']);
    expect(principal.expiration).toBeGreaterThanOrEqual(
      before + THIRTY_DAYS_MS - 1000);
    expect(principal.expiration).toBeLessThanOrEqual(after + THIRTY_DAYS_MS);
  });

  test('gives every privilege by default and takes the table from '
    + 'ML_TABLE', async () => {
    const result = await cli(['--json', 'keys', 'create', '--aws',
      '--name', 'admin'], { ...env, ML_TABLE: TABLE });

    expect(result.stderr).toBe('');
    const key = JSON.parse(result.stdout);
    const stored = await store.getKey(key.id);
    expect(stored).toMatchObject({ name: 'admin', privileges: ['all'],
      expiration: null, invalidated: false });
    // Only a hash of the secret is stored.
    expect(JSON.stringify(stored)).not.toContain(key.api_key);
  });

  test('prints the key once with how to use it', async () => {
    const result = await cli(['keys', 'create', '--aws', '--table', TABLE,
      '--region', 'eu-west-1', '--name', 'printed'], env);

    expect(result.code).toBe(0);
    const match = /export ML_API_KEY=(\S+)\n/.exec(result.stdout);
    expect(match).not.toBeNull();
    const [id] = Buffer.from(match![1], 'base64').toString().split(':');
    expect(result.stdout).toContain(
      `created API key printed (id ${id}, never expires)`);
    expect(result.stdout).toContain(`It is stored in table ${TABLE} `
      + '(eu-west-1); use it against the HttpApiUrl of that stack');
  });

  test('says where the table name comes from when none is given',
    async () => {
      const result = await cli(['keys', 'create', '--aws'], env);

      expect(result).toEqual({ code: 1, stdout: '', stderr: 'ml-intake: '
        + '--aws needs the DynamoDB table: give --table <name> or set '
        + "ML_TABLE (the TableName that 'npx osls info --stage <stage> "
        + "--verbose' prints)\n" });
    });

  test('asks for a region when none is given', async () => {
    const result = await cli(['keys', 'create', '--aws', '--table', TABLE],
      { AWS_ENDPOINT_URL_DYNAMODB: env.AWS_ENDPOINT_URL_DYNAMODB });

    expect(result).toEqual({ code: 1, stdout: '', stderr: 'ml-intake: '
      + '--aws needs the region of the table: give --region <region> or '
      + 'set AWS_REGION\n' });
  });

  test('names a table that does not exist instead of creating it',
    async () => {
      const result = await cli(['keys', 'create', '--aws', '--table',
        'no-such-table'], env);

      expect(result).toEqual({ code: 1, stdout: '', stderr: 'ml-intake: '
        + 'there is no table no-such-table in eu-west-1: deploy the stack '
        + 'first, and give the TableName and region it reports\n' });
    });

  test('refuses an unknown privilege in the words of the API', async () => {
    const result = await cli(['keys', 'create', '--aws', '--table', TABLE,
      '--privileges', 'manage_everything'], env);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^ml-intake: unknown cluster privilege \[manage_everything\]/);
    expect(result.stderr.split('\n')).toHaveLength(2);
  });
});
