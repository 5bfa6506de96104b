import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestStack, type TestStack } from '../support/localStack.js';
import { rawRequest } from '../support/rawHttp.js';

/**
 * With API keys off, requests a web page could make (a form posting
 * text/plain, a fetch through a rebound DNS name) over real HTTP.
 */

const JOBS = '/_ml/anomaly_detectors';

const ORIGIN_REASON = 'A request with an Origin header is refused while '
  + 'ML_AUTH=off: it comes from a web page, and without API keys any page '
  + 'could post data to and delete jobs on this server. Send it without '
  + 'Origin, or turn API keys on (ML_AUTH=on)';
const hostReason = (named: string) => `${named} is refused while `
  + 'ML_AUTH=off: only localhost, 127.x.x.x and [::1] (with any port) are '
  + 'answered, so that no web page reaches this server through a name of '
  + 'its own (DNS rebinding). Connect to 127.0.0.1 or localhost, or turn '
  + 'API keys on (ML_AUTH=on)';

/** A request line, the given headers and `body`, as bytes on a socket. */
function raw(
  method: string, path: string, headers: Record<string, string>, body = '',
  version = '1.1',
): string {
  const lines = Object.entries({ ...headers, connection: 'close',
    'content-length': String(Buffer.byteLength(body)) })
    .map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return `${method} ${path} HTTP/${version}\r\n${lines}\r\n${body}`;
}

function expectRefusal(
  answer: { status: number; body: string }, reason: string,
) {
  expect(answer.status).toBe(403);
  expect(JSON.parse(answer.body)).toEqual({
    error: { root_cause: [{ type: 'security_exception', reason }],
      type: 'security_exception', reason },
    status: 403,
  });
}

describe('ML_AUTH=off', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.close());

  const host = () => new URL(stack.url).host;

  test('refuses a form\'s post from a web page and does nothing', async () => {
    // What a page's <form enctype="text/plain"> sends: no preflight.
    const refused = await rawRequest(stack.url, raw('PUT', `${JOBS}/csrf`, {
      host: host(), origin: 'https://evil.example',
      'content-type': 'text/plain',
    }, '{"analysis_config":{"bucket_span":"1h","detectors":[{"function":'
      + '"count"}]},"data_description":{}}'));
    const after = await rawRequest(stack.url,
      raw('GET', `${JOBS}/csrf`, { host: host() }));

    expectRefusal(refused, ORIGIN_REASON);
    expect(after.status).toBe(404);
  });

  test.each(['null', 'http://127.0.0.1:9200', 'http://localhost'])(
    'refuses a request with Origin %s, even an empty post', async (origin) => {
      const refused = await rawRequest(stack.url, raw('POST',
        `${JOBS}/any/_data`, { host: host(), origin }));

      expectRefusal(refused, ORIGIN_REASON);
    });

  test.each(['evil.example', 'evil.example:9200', 'localhost.evil.example',
    '10.0.0.1', '[::2]:80'])('refuses Host %s (DNS rebinding)', async (name) => {
    const refused = await rawRequest(stack.url,
      raw('GET', JOBS, { host: name }));

    expectRefusal(refused, hostReason(`The Host header [${name}]`));
  });

  test('refuses an HTTP/1.1 request without Host', async () => {
    const answer = await rawRequest(stack.url, raw('GET', JOBS, {}));

    expectRefusal(answer, hostReason('A request without a Host header'));
  });

  test('refuses an HTTP/1.0 request without Host', async () => {
    const answer = await rawRequest(stack.url,
      raw('GET', JOBS, {}, '', '1.0'));
    // A 1.0 answer has no length: its body runs to the close.
    const body = answer.raw.slice(answer.raw.indexOf('\r\n\r\n') + 4);

    expectRefusal({ status: answer.status, body },
      hostReason('A request without a Host header'));
  });

  test('quotes at most 100 characters of a long Host', async () => {
    const name = `${'a'.repeat(200)}.example`;
    const refused = await rawRequest(stack.url,
      raw('GET', JOBS, { host: name }));

    expectRefusal(refused,
      hostReason(`The Host header [${'a'.repeat(100)}]`));
  });

  test.each(['localhost', 'LOCALHOST:9200', '127.0.0.1', '127.3.2.1:1',
    '[::1]:9200'])('answers Host %s', async (name) => {
    const answer = await rawRequest(stack.url,
      raw('GET', JOBS, { host: name }));

    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ count: 0, jobs: [] });
  });

  test('answers fetch, which sends no Origin', async () => {
    const response = await fetch(`${stack.url}${JOBS}`);

    expect(response.status).toBe(200);
  });
});

describe('ML_AUTH=on', () => {
  let stack: TestStack;
  let key: string;
  beforeAll(async () => {
    stack = await startTestStack({}, 'on');
    key = await stack.savedKey();
  });
  afterAll(() => stack?.close());

  test('answers any Host and Origin: the key is what is checked',
    async () => {
      // A server on 0.0.0.0 is reached by whatever name the network has.
      const withKey = await rawRequest(stack.url, raw('GET', JOBS, {
        host: 'ml.example:9200', origin: 'https://app.example',
        authorization: `ApiKey ${key}`,
      }));
      const withoutKey = await rawRequest(stack.url, raw('GET', JOBS, {
        host: 'ml.example:9200', origin: 'https://evil.example',
      }));

      expect(withKey.status).toBe(200);
      expect(withoutKey.status).toBe(401);
    });

  test('answers an HTTP/1.1 request without Host, as Elasticsearch does',
    async () => {
      const withKey = await rawRequest(stack.url, raw('GET', JOBS,
        { authorization: `ApiKey ${key}` }));
      const withoutKey = await rawRequest(stack.url, raw('GET', JOBS, {}));

      expect(withKey.status).toBe(200);
      expect(JSON.parse(withKey.body)).toEqual({ count: 0, jobs: [] });
      expect(withoutKey.status).toBe(401);
      expect(JSON.parse(withoutKey.body).error.reason).toBe(
        `missing authentication credentials for REST request [${JOBS}]`);
    });
});
