import { describe, expect, test } from 'vitest';
import { createDynamoClient } from '../../lib/store/clients.js';
import { createObjectStore, createS3Client } from '../../lib/store/objects.js';

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

describe('the S3 client', () => {
  test('signs no checksum of an empty body into a presigned PUT URL for AWS',
    async () => {
      // Without an endpoint the client is for AWS itself; presigning needs
      // no network. A checksum of the empty body signed into the URL would
      // not match the file PUT to it.
      const client = createS3Client({ region: 'eu-west-1', credentials: {
        accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } }, {});
      const url = new URL(await createObjectStore(client, 'bucket')
        .presignPut('jobs/j/big.ndjson', 900));

      expect(url.hostname).toBe('bucket.s3.eu-west-1.amazonaws.com');
      const names = [...url.searchParams.keys()].map((k) => k.toLowerCase());
      expect(names).toContain('x-amz-signature');
      expect(names.filter((name) => name.includes('checksum'))).toEqual([]);
    });
});
