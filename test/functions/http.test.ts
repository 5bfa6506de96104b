import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { createHttpHandler, toHttpRequest } from '../../functions/http.js';
import { loadConfig } from '../../lib/config.js';
import { createJobServiceDouble } from '../support/jobServiceDouble.js';

function event(
  overrides: Partial<APIGatewayProxyEventV2> & { method?: string } = {},
): APIGatewayProxyEventV2 {
  const { method = 'GET', ...rest } = overrides;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/_ml/anomaly_detectors/_stats',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012', apiId: 'api', domainName: 'example.com',
      domainPrefix: 'example', requestId: 'req-1', routeKey: '$default',
      stage: '$default', time: '03/Dec/2026:18:00:00 +0000',
      timeEpoch: 0,
      http: { method, path: rest.rawPath ?? '/', protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1', userAgent: 'test' },
    },
    ...rest,
  };
}

function setUp() {
  const lines: string[] = [];
  const logger = pino({ base: undefined }, {
    write: (line: string) => { lines.push(line); },
  });
  const double = createJobServiceDouble();
  const handler = createHttpHandler({
    jobs: double.jobs, config: loadConfig({}), logger,
  });
  const logged = () => lines.map((line) => JSON.parse(line));
  return { ...double, handler, logged, lines };
}

describe('the event mapping', () => {
  test('decodes a base64 body to its bytes', () => {
    const bytes = gzipSync('{"a":1}');

    const request = toHttpRequest(event({
      body: bytes.toString('base64'), isBase64Encoded: true,
    }));

    expect(Buffer.from(request.body).equals(bytes)).toBe(true);
  });

  test('takes a plain body as UTF-8', () => {
    const request = toHttpRequest(event({ body: '{"city":"Zürich"}' }));

    // ü is two bytes in UTF-8: 17 characters, 18 bytes.
    expect(request.body.length).toBe(18);
  });

  test('lower-cases header names and ignores cookies', () => {
    const request = toHttpRequest(event({
      headers: { 'Content-Type': 'application/json', 'X-Other': 'v' },
      cookies: ['session=1'],
    }));

    expect(request.headers).toEqual({
      'content-type': 'application/json', 'x-other': 'v',
    });
  });

  test('parses the raw query string', () => {
    const request = toHttpRequest(event({
      method: 'post',
      rawPath: '/_ml/anomaly_detectors/a/_data',
      rawQueryString: 'reset_start=2016-05-01T10%3A00%3A00Z&human',
    }));

    expect(request.method).toBe('POST');
    expect(request.path).toBe('/_ml/anomaly_detectors/a/_data');
    expect(request.query.get('reset_start')).toBe('2016-05-01T10:00:00Z');
    expect(request.query.get('human')).toBe('');
  });
});

describe('the handler', () => {
  test('returns the API response as a structured result', async () => {
    const { handler } = setUp();

    const result = await handler(event());

    expect(result).toEqual({
      statusCode: 200,
      headers: {
        'content-type': 'application/json; charset=UTF-8',
        'x-elastic-product': 'Elasticsearch',
      },
      body: '{"operation":"getStats"}',
      isBase64Encoded: false,
    });
  });

  test('posts a gzip body sent base64-encoded', async () => {
    const { handler, receivedBytes } = setUp();
    const records = '{"time":1403481600}\n{"time":1403481700}\n';

    const result = await handler(event({
      method: 'POST', rawPath: '/_ml/anomaly_detectors/farequote/_data',
      headers: { 'content-type': 'application/x-ndjson',
        'content-encoding': 'gzip' },
      body: gzipSync(records).toString('base64'), isBase64Encoded: true,
    }));

    expect(result.statusCode).toBe(202);
    expect(receivedBytes().toString()).toBe(records);
  });

  test('logs one line per request without body or credentials',
    async () => {
      const { handler, logged, lines } = setUp();
      const body = '{"time":1403481600,"secret_field":"s3cr3t"}';

      await handler(event({
        method: 'POST', rawPath: '/_ml/anomaly_detectors/farequote/_data',
        headers: { 'content-type': 'application/json',
          authorization: 'ApiKey c2VjcmV0OmtleQ==' },
        body,
      }));

      expect(logged()).toEqual([expect.objectContaining({
        msg: 'request', method: 'POST',
        path: '/_ml/anomaly_detectors/farequote/_data', status: 202,
        bytesIn: body.length, jobId: 'farequote', requestId: 'req-1',
        durationMs: expect.any(Number),
      })]);
      expect(lines.join('')).not.toContain('s3cr3t');
      expect(lines.join('')).not.toContain('c2VjcmV0OmtleQ==');
    });

  test('logs an unexpected error apart from its bare 500', async () => {
    const { handler, logged, jobs } = setUp();
    jobs.getStats = async () => { throw new Error('store unreachable'); };

    const result = await handler(event());

    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('unreachable');
    expect(logged()[0]).toMatchObject({
      msg: 'unexpected error', err: { message: 'store unreachable' },
    });
    expect(logged()[1]).toMatchObject({ msg: 'request', status: 500 });
  });
});
