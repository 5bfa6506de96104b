import { describe, expect, test } from 'vitest';
import { createDynamoClient } from '../../lib/store/clients.js';

describe('the DynamoDB client', () => {
  test('defaults the region to us-east-1 when none is set', async () => {
    const client = createDynamoClient({}, {});

    expect(await client.config.region()).toBe('us-east-1');
  });

  test('takes the region from AWS_REGION', async () => {
    const client = createDynamoClient({}, { AWS_REGION: 'eu-west-1' });

    expect(await client.config.region()).toBe('eu-west-1');
  });

  test('uses an explicit endpoint with stand-in keys', async () => {
    const client = createDynamoClient(
      { endpoint: 'http://127.0.0.1:8000' }, {});

    const endpoint = await client.config.endpoint?.();
    expect(endpoint?.hostname).toBe('127.0.0.1');
    expect(endpoint?.port).toBe(8000);
    const credentials = await client.config.credentials();
    expect(credentials.accessKeyId).toBe('local');
  });
});
