import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestStack, type TestStack } from '../support/localStack.js';
import { rawRequest } from '../support/rawHttp.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const line = (text: string) => Buffer.from(text, 'latin1');

// Each request is one Node's parser refuses; the reason names the fault
// in llhttp's words, then says what to send instead.
const CASES: Array<[string, Buffer, RegExp]> = [
  ['a raw 0xff byte in the path',
    Buffer.concat([line('GET /_ml/'), Buffer.from([0xff]),
      line(' HTTP/1.1\r\nHost: a\r\n\r\n')]),
    /^Invalid HTTP request: Invalid char in url path; .*percent-encode/],
  ['a UTF-8 character in the path',
    Buffer.from('GET /_ml/é HTTP/1.1\r\nHost: a\r\n\r\n', 'utf8'),
    /^Invalid HTTP request: Invalid char in url path; /],
  ['a path without a leading slash',
    line('GET _ml/anomaly_detectors HTTP/1.1\r\nHost: a\r\n\r\n'),
    /^Invalid HTTP request: .*url; the request target must be a path /],
  ['a NUL in a header value',
    line('GET / HTTP/1.1\r\nHost: a\r\nX-Note: a\x00b\r\n\r\n'),
    /^Invalid HTTP request: Invalid header value char; /],
  ['a negative Content-Length',
    line('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n'),
    /^Invalid HTTP request: .*Content-Length; Content-Length must be one /],
  ['a Content-Length of 20 digits',
    line('POST / HTTP/1.1\r\nHost: a\r\n'
      + 'Content-Length: 99999999999999999999\r\n\r\n'),
    /^Invalid HTTP request: Content-Length overflow; /],
  ['both Content-Length and Transfer-Encoding',
    line('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n'
      + 'Transfer-Encoding: chunked\r\n\r\n'),
    /^Invalid HTTP request: .*; send Content-Length or Transfer-Encoding/],
  ['an unknown method',
    line('FOO / HTTP/1.1\r\nHost: a\r\n\r\n'),
    /^Invalid HTTP request: Invalid method encountered; the method must /],
];

describe('a request Node cannot parse', () => {
  test.each(CASES)('with %s gets 400 in the envelope and a closed socket',
    async (_, bytes, reason) => {
      const answer = await rawRequest(stack.url, bytes);

      expect(answer.status).toBe(400);
      expect(answer.closed).toBe(true);
      expect(answer.headers['content-type'])
        .toBe('application/json; charset=UTF-8');
      expect(answer.headers['x-elastic-product']).toBe('Elasticsearch');
      const body = JSON.parse(answer.body);
      expect(body).toEqual({
        error: {
          root_cause: [{ type: 'illegal_argument_exception',
            reason: body.error.reason }],
          type: 'illegal_argument_exception',
          reason: body.error.reason,
        },
        status: 400,
      });
      expect(body.error.reason).toMatch(reason);
    });

  test('leaves the server answering the next request', async () => {
    await rawRequest(stack.url, line('FOO / HTTP/1.1\r\nHost: a\r\n\r\n'));

    const response = await fetch(`${stack.url}/_ml/anomaly_detectors`);

    expect(response.status).toBe(200);
  });
});
