import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLocalStack } from '../../infra/local/stack.js';
import { createDynamoClient } from '../../lib/store/clients.js';
import { startTestStack, type TestStack } from '../support/localStack.js';

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
  test('keeps its table and jobs in the data folder across restarts',
    async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'ml-intake-test-'));
      const options = {
        host: '127.0.0.1', port: 0, s3Port: 0, dataDir, auth: 'off' as const,
        config: { tableName: 'persisted' }, logger: pino({ level: 'silent' }),
      };
      const job = { analysis_config: { bucket_span: '1h',
        detectors: [{ function: 'count' }] }, data_description: {} };

      try {
        const first = await startLocalStack(options);
        const created = await fetch(
          `${first.url}/_ml/anomaly_detectors/kept`, {
            method: 'PUT', headers: { 'content-type': 'application/json' },
            body: JSON.stringify(job),
          });
        await first.close();
        const second = await startLocalStack(options);
        const found = await fetch(`${second.url}/_ml/anomaly_detectors/kept`);
        const body = await found.json() as { jobs: Array<{ job_id: string }> };
        const client = createDynamoClient({ endpoint: second.dynamoUrl }, {});
        const { TableNames } = await client.send(new ListTablesCommand({}));
        client.destroy();
        await second.close();

        expect(created.status).toBe(200);
        expect(found.status).toBe(200);
        expect(body.jobs[0].job_id).toBe('kept');
        expect(TableNames).toEqual(['persisted']);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
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
