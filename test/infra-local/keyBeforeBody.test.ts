import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestStack, type TestStack } from '../support/localStack.js';
import { openSocket, postHead, readAnswer } from '../support/rawHttp.js';

/**
 * With API keys on, a request's key is checked from its headers before
 * its body is taken in: without a valid key it holds none of the budget
 * of bodies in flight, and gets no 100 Continue.
 */

const MiB = 1024 * 1024;
// One body may be 1 MiB; bodies in flight may hold 1.5 MiB together, so
// a single held share of 1 MiB leaves no room for another upload.
const BODY_LIMIT = MiB;
const BUDGET = 1.5 * MiB;
const JOB = 'guarded';
const PATH = `/_ml/anomaly_detectors/${JOB}/_data`;

let stack: TestStack;
let firstKey: string;

beforeAll(async () => {
  stack = await startTestStack({ maxBodyBytes: BODY_LIMIT }, 'on',
    { maxInflightBytes: BUDGET });
  firstKey = await stack.savedKey();
  await api('PUT', `/_ml/anomaly_detectors/${JOB}`, {
    analysis_config: { bucket_span: '1h', detectors: [
      { function: 'mean', field_name: 'responsetime' }] },
    data_description: { time_field: 'time', time_format: 'epoch' },
  });
  await api('POST', `/_ml/anomaly_detectors/${JOB}/_open`);
});
afterAll(() => stack?.close());

async function api(method: string, path: string, body?: unknown,
  key = firstKey) {
  const response = await fetch(`${stack.url}${path}`, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { authorization: `ApiKey ${key}`,
      'content-type': 'application/json' },
  });
  return { status: response.status, json: await response.json() as any };
}

const head = (length: number, extra = '') => postHead(PATH, length, extra);

/** A key of `encoded` credentials, as its creator gets it. */
async function newKey(body: Record<string, unknown>): Promise<{
  id: string; encoded: string;
}> {
  const created = await api('POST', '/_security/api_key', body);
  expect(created.status).toBe(200);
  return created.json;
}

/** A post that declares 1 MiB and asks for 100 Continue first. */
async function askToSend(authorization?: string): Promise<Socket> {
  const socket = await openSocket(stack.url);
  socket.write(head(MiB, 'Expect: 100-continue\r\nConnection: close\r\n'
    + (authorization === undefined ? ''
      : `Authorization: ${authorization}\r\n`)));
  return socket;
}

/** A post of a 1 MiB record with the first key, sent whole at once. */
async function validPost(): Promise<number> {
  const record = JSON.stringify({ time: 1_403_481_600, responsetime: 1 });
  const body = record.padEnd(MiB - 1, ' ') + '\n';
  const response = await fetch(`${stack.url}${PATH}`, {
    method: 'POST', body, headers: { authorization: `ApiKey ${firstKey}`,
      'content-type': 'application/json' },
  });
  await response.arrayBuffer();
  return response.status;
}

describe('a request without a valid API key', () => {
  test('without any key gets the 401 of the API and no 100 Continue',
    async () => {
      const answer = await readAnswer(await askToSend());

      expect(answer.raw.startsWith('HTTP/1.1 100')).toBe(false);
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('ApiKey');
      // Spec §9: Elasticsearch's words, the request URI quoted.
      expect(JSON.parse(answer.body)).toEqual({
        error: {
          root_cause: [{ type: 'security_exception',
            reason: `missing authentication credentials for REST request `
              + `[${PATH}]`,
            header: { 'WWW-Authenticate': 'ApiKey' } }],
          type: 'security_exception',
          reason: `missing authentication credentials for REST request `
            + `[${PATH}]`,
          header: { 'WWW-Authenticate': 'ApiKey' },
        },
        status: 401,
      });
    });

  test('with a wrong secret, a revoked or an expired key gets 401 before '
    + 'its body', async () => {
    const revoked = await newKey({ name: 'revoked' });
    await api('DELETE', '/_security/api_key', { ids: [revoked.id] });
    const expired = await newKey({ name: 'short', expiration: '1s' });
    const [id] = Buffer.from(firstKey, 'base64').toString().split(':');
    const wrong = Buffer.from(`${id}:not-the-secret`).toString('base64');
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const causes: string[] = [];
    for (const encoded of [wrong, revoked.encoded, expired.encoded]) {
      const answer = await readAnswer(await askToSend(`ApiKey ${encoded}`));
      expect(answer.raw.startsWith('HTTP/1.1 100')).toBe(false);
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('ApiKey');
      causes.push(JSON.parse(answer.body).error
        .additional_unsuccessful_credentials);
    }

    expect(causes).toEqual([
      `API key: invalid credentials for API key [${id}]`,
      `API key: api key [${revoked.id}] has been invalidated`,
      'API key: api key is expired',
    ]);
  });

  test('holds no share of the bodies in flight while it trickles',
    async () => {
      // Two clients declare 1 MiB each and send 1 KiB at a time: had
      // either taken its share, a 1 MiB upload could not fit beside it.
      const tricklers = await Promise.all([0, 1].map(async () => {
        const socket = await openSocket(stack.url);
        socket.on('error', () => undefined);
        socket.write(head(MiB));
        const timer = setInterval(() => {
          if (socket.writable) socket.write(' '.repeat(1024));
        }, 100);
        return { socket, timer };
      }));
      try {
        await new Promise((resolve) => setTimeout(resolve, 300));

        expect(await validPost()).toBe(202);
      } finally {
        for (const { socket, timer } of tricklers) {
          clearInterval(timer);
          socket.destroy();
        }
      }
    });
});

describe('a request to a path no route has', () => {
  test('gets the API\'s answer, which needs no key, before its body',
    async () => {
      // Had it taken its share first, the second could not fit beside it.
      const answers = await Promise.all([0, 1].map(async () => {
        const socket = await openSocket(stack.url);
        socket.write('POST /_ml/nowhere HTTP/1.1\r\nHost: localhost\r\n'
          + 'Content-Type: application/json\r\nExpect: 100-continue\r\n'
          + `Connection: close\r\nContent-Length: ${MiB}\r\n\r\n`);
        return readAnswer(socket);
      }));

      for (const answer of answers) {
        expect(answer.raw.startsWith('HTTP/1.1 100')).toBe(false);
        // Elasticsearch's answer to a path it has no handler for.
        expect(answer.status).toBe(400);
        expect(JSON.parse(answer.body)).toEqual({ error: 'no handler found '
          + 'for uri [/_ml/nowhere] and method [POST]' });
      }
    });
});

describe('a request with a valid API key', () => {
  test('gets 100 Continue and is answered by the API', async () => {
    const socket = await askToSend(`ApiKey ${firstKey}`);
    const continued = await new Promise<string>((resolve) => {
      socket.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    });
    socket.write('{"time":1403481660,"responsetime":2}\n'.padEnd(MiB, ' '));
    const answer = await readAnswer(socket);

    expect(continued).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    expect(answer.status).toBe(202);
    expect(JSON.parse(answer.body).processed_record_count).toBe(1);
  });

  test('whose privileges do not allow posting still gets the API\'s 403',
    async () => {
      const reader = await newKey({ name: 'reader', role_descriptors: {
        watch: { cluster: ['monitor_ml'] } } });
      const response = await fetch(`${stack.url}${PATH}`, {
        method: 'POST', body: '{"time":1403481720,"responsetime":3}',
        headers: { authorization: `ApiKey ${reader.encoded}`,
          'content-type': 'application/json' },
      });

      expect(response.status).toBe(403);
      expect((await response.json() as any).error.type)
        .toBe('security_exception');
    });
});
