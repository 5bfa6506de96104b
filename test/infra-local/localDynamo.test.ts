import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  startLocalDynamo, type LocalDynamo,
} from '../../infra/local/localDynamo.js';
import { createDynamoClient } from '../../lib/store/clients.js';

let dir: string;
let dynamo: LocalDynamo;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ml-intake-dynamo-'));
  dynamo = await startLocalDynamo(dir);
});

afterAll(async () => {
  await dynamo.close();
  await rm(dir, { recursive: true, force: true });
});

// What a script on any web page can send to a loopback port it found.
const LIST_TABLES = {
  'content-type': 'application/x-amz-json-1.0',
  'x-amz-target': 'DynamoDB_20120810.ListTables',
  authorization: 'AWS4-HMAC-SHA256 Credential=a/20261204/us-east-1/'
    + 'dynamodb/aws4_request, SignedHeaders=host, Signature=00',
};

test('the local DynamoDB refuses a request from a web page', async () => {
  const response = await fetch(dynamo.url, {
    method: 'POST', body: '{}',
    headers: { ...LIST_TABLES, origin: 'https://pages.example' },
  });

  expect(response.status).toBe(403);
  expect(response.headers.get('access-control-allow-origin')).toBeNull();
  const body = await response.json() as { __type: string };
  expect(body.__type).toMatch(/AccessDeniedException$/);
});

test('and the preflight a browser sends before it', async () => {
  const response = await fetch(dynamo.url, {
    method: 'OPTIONS',
    headers: {
      origin: 'null', 'access-control-request-method': 'POST',
      'access-control-request-headers': 'x-amz-target,authorization',
    },
  });

  expect(response.status).toBe(403);
  expect(response.headers.get('access-control-allow-origin')).toBeNull();
});

test('while the service\'s own client, which sends no Origin, is answered',
  async () => {
    const client = createDynamoClient({ endpoint: dynamo.url }, {});
    try {
      const listed = await client.send(new ListTablesCommand({}));
      expect(listed.TableNames).toEqual([]);
    } finally {
      client.destroy();
    }
  });
