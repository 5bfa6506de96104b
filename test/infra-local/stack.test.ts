import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand, ListTablesCommand, type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { startLocalStack } from '../../infra/local/stack.js';
import { startTestStack, type TestStack } from '../support/localStack.js';

// The table, the store and the job service are built by other parts and
// are contract stubs here; these checks of the HTTP adapter never reach a
// job, so the stubs are replaced by the smallest working stand-ins. The
// table stand-in really creates a table, through the stack's own client.
const tableListings = vi.hoisted((): string[][] => []);
vi.mock('../../lib/store/table.js', () => ({
  ensureTable: async (client: DynamoDBClient, tableName: string) => {
    const { TableNames = [] } = await client.send(new ListTablesCommand({}));
    tableListings.push(TableNames);
    if (TableNames.includes(tableName)) return;
    await client.send(new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
  },
}));
vi.mock('../../lib/store/dynamoStore.js', () => ({
  // At start the stack looks for objects a crash left part-way.
  createDynamoJobStore: () => ({ listJobs: async () => [] }),
}));
vi.mock('../../lib/jobs/jobService.js', () => ({
  createJobService: () => ({}),
}));

const LIMIT = 1024;

describe('the local stack over HTTP', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ maxBodyBytes: LIMIT });
  });
  afterAll(async () => {
    await stack.close();
  });

  test('listens on a loopback port', () => {
    expect(stack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('answers an unknown path with the no handler message', async () => {
    const response = await fetch(`${stack.url}/_ml/nothing`);

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'no handler found for uri [/_ml/nothing] and method [GET]',
    });
  });

  test('answers a wrong method with 405 and Allow', async () => {
    const response = await fetch(
      `${stack.url}/_ml/anomaly_detectors/a/_data`);

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  test('refuses a body without Content-Type with 406', async () => {
    const response = await fetch(
      `${stack.url}/_ml/anomaly_detectors/farequote/_data`,
      { method: 'POST', body: new TextEncoder().encode('{"time":1}') });

    expect(response.status).toBe(406);
    expect(response.headers.get('content-type'))
      .toBe('application/json; charset=UTF-8');
    expect(await response.json()).toEqual({
      error: 'Content-Type header is missing', status: 406,
    });
  });

  test('refuses a declared length over the limit before it arrives',
    async () => {
      const { status, body } = await post(
        `${stack.url}/_ml/anomaly_detectors/farequote/_data`,
        { 'content-length': String(100 * 1024 * 1024) }, undefined);

      expect(status).toBe(413);
      expect(JSON.parse(body).error.reason).toMatch(
        /limit of 1024 bytes \(1kb\).*anomaly_detectors\/farequote\/_upload/);
    });

  test('refuses a chunked body once it passes the limit', async () => {
    const { status } = await post(
      `${stack.url}/_ml/anomaly_detectors/farequote/_data`,
      { 'content-type': 'application/json' }, Buffer.alloc(LIMIT + 1, 32));

    expect(status).toBe(413);
  });
});

describe('the local stack lifecycle', () => {
  test('keeps its tables in the data folder across restarts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ml-intake-test-'));
    const options = {
      host: '127.0.0.1', port: 0, dataDir, auth: 'off' as const,
      config: { tableName: 'persisted' }, logger: pino({ level: 'silent' }),
    };
    tableListings.length = 0;

    try {
      await (await startLocalStack(options)).close();
      await (await startLocalStack(options)).close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }

    expect(tableListings).toEqual([[], ['persisted']]);
  });

  test('stops listening when closed', async () => {
    const stack = await startTestStack();
    await fetch(`${stack.url}/_ml/nothing`);

    await stack.close();

    await expect(fetch(`${stack.url}/_ml/nothing`)).rejects.toThrow();
  });
});

/** A raw POST, so the body can be absent, chunked or cut short. */
function post(
  url: string, headers: Record<string, string>, body: Buffer | undefined,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method: 'POST', headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
        }));
      });
    // The server may close the socket after answering; that is expected.
    outgoing.on('error', (error) => reject(error));
    if (body === undefined) {
      // Send the headers alone: the answer must come without the body.
      outgoing.flushHeaders();
      return;
    }
    // A write before end sends the body chunked, with no declared length.
    outgoing.write(body);
    outgoing.end();
  });
}
