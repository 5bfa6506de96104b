import type { Server } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { toHttpRequest } from '../../functions/http.js';
import { createLocalServer } from '../../infra/local/httpAdapter.js';
import { listenOnLoopback } from '../support/rawHttp.js';

/** The events the local server hands its handler, over real HTTP. */

let server: Server;
let url: string;
const events: APIGatewayProxyEventV2[] = [];
beforeAll(async () => {
  server = createLocalServer(async (event) => {
    events.push(event);
    return { statusCode: 200, body: '{}' };
  }, {
    maxBodyBytes: 1024, maxInflightBytes: 4096, localOnly: true,
    bodyPace: { windowMs: 30_000, minBytesPerSec: 1024 },
    logger: pino({ level: 'silent' }),
  });
  url = `http://127.0.0.1:${await listenOnLoopback(server)}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

async function eventOf(body: Uint8Array): Promise<APIGatewayProxyEventV2> {
  const response = await fetch(`${url}/_ml/anomaly_detectors/a/_data`,
    { method: 'POST', body });
  await response.text();
  return events[events.length - 1];
}

describe('the body of a local event', () => {
  test('is text when every byte is ASCII, as API Gateway sends text', async () => {
    const bytes = Buffer.from('{"time":1}\n{"time":2}\t\x00\x7f');

    const event = await eventOf(bytes);

    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBe('{"time":1}\n{"time":2}\t\x00\x7f');
    expect(toHttpRequest(event).body).toEqual(bytes);
  });

  test.each([
    ['UTF-8', Buffer.from('{"city":"Zürich"}')],
    ['a Latin-1 byte, no UTF-8', Buffer.from([0x7b, 0xe9, 0x7d])],
    ['gzip', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff])],
  ])('is base64 for %s, and decodes to the bytes sent', async (_, bytes) => {
    const event = await eventOf(bytes);

    expect(event.isBase64Encoded).toBe(true);
    expect(event.body).toBe(bytes.toString('base64'));
    expect(toHttpRequest(event).body).toEqual(bytes);
  });
});
