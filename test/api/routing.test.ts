import { describe, expect, test } from 'vitest';
import { createApi } from '../../lib/api/createApi.js';
import type { Authorizer } from '../../lib/api/types.js';
import { MlError } from '../../lib/errors.js';
import { createJobServiceDouble } from '../support/jobServiceDouble.js';
import { httpRequest, JSON_HEADERS, parseBody } from './requests.js';

function setUp(authorizer?: Authorizer) {
  const double = createJobServiceDouble();
  const api = createApi({
    jobs: double.jobs, authorizer, config: { maxBodyBytes: 1024 * 1024 },
  });
  return { ...double, api };
}

describe('each route', () => {
  const human = { human: false };
  const allJobs = { allowNoMatch: true, excludeGenerated: false };
  const cases: Array<[string, string, string, string, unknown[]]> = [
    ['PUT', '/_ml/anomaly_detectors/a', '{"x":1}', 'putJob', ['a', { x: 1 }]],
    ['GET', '/_ml/anomaly_detectors/a*', '', 'getJobs', ['a*', allJobs]],
    ['GET', '/_ml/anomaly_detectors', '', 'getJobs', [undefined, allJobs]],
    ['DELETE', '/_ml/anomaly_detectors/a?force', '', 'deleteJob',
      ['a', { force: true }]],
    ['POST', '/_ml/anomaly_detectors/a/_open', '', 'openJob', ['a']],
    ['POST', '/_ml/anomaly_detectors/_all/_close', '', 'closeJob',
      ['_all', { allowNoMatch: true }]],
    ['POST', '/_ml/anomaly_detectors/a/_flush', '', 'flushJob', ['a', {
      calcInterim: false, start: undefined, end: undefined,
      advanceTime: undefined, skipTime: undefined,
    }, human]],
    ['GET', '/_ml/anomaly_detectors/a,b/_stats', '', 'getStats',
      ['a,b', { human: false, allowNoMatch: true }]],
    ['GET', '/_ml/anomaly_detectors/_stats', '', 'getStats',
      [undefined, { human: false, allowNoMatch: true }]],
    ['POST', '/_ml/anomaly_detectors/a/_data', '', 'postData',
      ['a', { human: false, reset: { start: undefined, end: undefined } }]],
  ];

  for (const [method, path, body, operation, args] of cases) {
    for (const prefix of ['/_ml', '/_xpack/ml']) {
      const target = path.replace('/_ml', prefix);
      test(`${method} ${target} calls ${operation}`, async () => {
        const { api, calls } = setUp();
        const headers = body === '' ? {} : JSON_HEADERS;

        const response = await api(httpRequest(method, target,
          { headers, body }));

        expect(response.status).toBe(operation === 'postData' ? 202 : 200);
        expect(calls).toHaveLength(1);
        expect(calls[0].operation).toBe(operation);
        expect(calls[0].args).toEqual(args);
        expect(parseBody(response)).toEqual({ operation });
      });
    }
  }
});

describe('routing', () => {
  test('prefers the literal _stats segment over a job id', async () => {
    const { api, calls } = setUp();

    await api(httpRequest('GET', '/_ml/anomaly_detectors/_stats'));

    expect(calls[0].operation).toBe('getStats');
  });

  test('ignores a trailing slash, as Elasticsearch does', async () => {
    const { api, calls } = setUp();

    await api(httpRequest('GET', '/_ml/anomaly_detectors/'));

    expect(calls[0].args[0]).toBeUndefined();
  });

  test('decodes a percent-escaped job id', async () => {
    const { api, calls } = setUp();

    await api(httpRequest('POST', '/_ml/anomaly_detectors/my%2Djob/_open'));

    expect(calls[0].args).toEqual(['my-job']);
  });

  test('answers an unknown path with the no handler message', async () => {
    const { api } = setUp();

    const response = await api(httpRequest('GET', '/_ml/nothing?human=true'));

    expect(response.status).toBe(400);
    // RestController.handleBadRequest: the URI with its query string.
    expect(parseBody(response)).toEqual({
      error: 'no handler found for uri [/_ml/nothing?human=true] and method [GET]',
    });
  });

  test('answers routes not offered yet as unknown paths', async () => {
    const { api } = setUp();

    const keys = await api(httpRequest('GET', '/_security/api_key'));

    expect(keys.status).toBe(400);
  });

  test('answers a wrong method with 405 and the allowed ones', async () => {
    const { api } = setUp();

    const response = await api(httpRequest('GET',
      '/_ml/anomaly_detectors/a/_data'));

    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('POST');
    expect(parseBody(response)).toEqual({
      error: 'Incorrect HTTP method for uri [/_ml/anomaly_detectors/a/_data] '
        + 'and method [GET], allowed: [POST]',
      status: 405,
    });
  });

  test('answers HEAD on a GET-only route with 405, as Elasticsearch does',
    async () => {
      // Elasticsearch dispatches HEAD only to handlers registered for it
      // (index exists, the root path); the ML GET routes register GET.
      const { api, calls } = setUp();

      const response = await api(httpRequest('HEAD',
        '/_ml/anomaly_detectors/a/_stats'));

      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET');
      expect(calls).toEqual([]);
    });

  test('lists every method a job path has in Allow', async () => {
    const { api } = setUp();

    const response = await api(httpRequest('POST',
      '/_xpack/ml/anomaly_detectors/a'));

    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET,PUT,DELETE');
  });

  test('answers OPTIONS with the allowed methods and no body', async () => {
    const { api } = setUp();

    const response = await api(httpRequest('OPTIONS',
      '/_ml/anomaly_detectors/a/_flush'));

    expect(response.status).toBe(200);
    expect(response.headers.allow).toBe('POST');
    expect(response.body).toBe('');
  });
});

describe('job id and authorization checks', () => {
  test('refuses a malformed single job id before any job call', async () => {
    const { api, calls } = setUp();

    const response = await api(httpRequest('POST',
      '/_ml/anomaly_detectors/Bad_/_data', { headers: JSON_HEADERS,
        body: '{}' }));

    expect(response.status).toBe(400);
    expect(parseBody(response).error.reason).toBe("Invalid job_id; 'Bad_' "
      + 'can contain lowercase alphanumeric (a-z and 0-9), hyphens or '
      + 'underscores; must start and end with alphanumeric');
    expect(calls).toHaveLength(0);
  });

  test('asks the authorizer with the route action', async () => {
    const actions: string[] = [];
    const { api } = setUp({
      authorize: async (_request, action) => { actions.push(action); },
    });

    await api(httpRequest('POST', '/_ml/anomaly_detectors/a/_data'));
    await api(httpRequest('GET', '/_xpack/ml/anomaly_detectors/_stats'));

    expect(actions).toEqual([
      'cluster:admin/xpack/ml/job/data/post',
      'cluster:monitor/xpack/ml/job/stats/get',
    ]);
  });

  test('authorizes before the job id, the body or the job', async () => {
    const denied = new MlError(403, 'security_exception',
      'action [cluster:admin/xpack/ml/job/data/post] is unauthorized for '
        + 'user [no_ml]');
    const { api, calls } = setUp({
      authorize: async () => { throw denied; },
    });

    const response = await api(httpRequest('POST',
      '/_ml/anomaly_detectors/BAD/_data?unknown=1', {
        headers: { 'content-encoding': 'gzip' }, body: 'not gzip',
      }));

    expect(response.status).toBe(403);
    expect(parseBody(response).error.type).toBe('security_exception');
    expect(calls).toHaveLength(0);
  });
});
