import { describe, expect, test } from 'vitest';
import { createApi } from '../../lib/api/createApi.js';
import { filterResponse } from '../../lib/api/filterPath.js';
import { jsonResponse } from '../../lib/api/responses.js';
import { CountingError } from '../../lib/counting/errors.js';
import { jobNotFound, MlError } from '../../lib/errors.js';
import type { JobService } from '../../lib/jobs/types.js';
import { createJobServiceDouble } from '../support/jobServiceDouble.js';
import { httpRequest, parseBody } from './requests.js';

function setUp(overrides: Partial<JobService> = {}) {
  const double = createJobServiceDouble();
  const unexpected: unknown[] = [];
  const api = createApi({
    jobs: { ...double.jobs, ...overrides },
    config: { maxBodyBytes: 1024 * 1024 },
    onUnexpectedError: (error) => unexpected.push(error),
  });
  return { ...double, api, unexpected };
}

const FLUSH = '/_ml/anomaly_detectors/farequote/_flush';

async function failing(error: unknown, target = FLUSH) {
  const { api, unexpected } = setUp({
    flushJob: async () => { throw error; },
  });
  const response = await api(httpRequest('POST', target));
  return { response, unexpected };
}

describe('successful responses', () => {
  test('are JSON with a charset', async () => {
    const { api } = setUp();

    const response = await api(httpRequest('GET', '/_ml/anomaly_detectors'));

    expect(response.headers['content-type'])
      .toBe('application/json; charset=UTF-8');
    expect(response.body).toBe('{"operation":"getJobs"}');
  });

  test('are indented the Elasticsearch way with ?pretty', async () => {
    const { api } = setUp({
      flushJob: async () => ({ flushed: true, nested: { list: [1, 2] },
        empty: {}, none: [] }),
    });

    const response = await api(httpRequest('POST', `${FLUSH}?pretty`));

    expect(response.body).toBe([
      '{',
      '  "flushed" : true,',
      '  "nested" : {',
      '    "list" : [',
      '      1,',
      '      2',
      '    ]',
      '  },',
      '  "empty" : { },',
      '  "none" : [ ]',
      '}',
      '',
    ].join('\n'));
  });

  test('keep only the fields ?filter_path names', async () => {
    const { api } = setUp({
      getStats: async () => ({ count: 1, jobs: [
        { job_id: 'farequote', data_counts: { processed_record_count: 86275,
          input_bytes: 4191884 }, state: 'opened' },
      ] }),
    });

    const response = await api(httpRequest('GET', '/_ml/anomaly_detectors/'
      + '_stats?filter_path=jobs.job_id,jobs.data_counts.processed_*'));

    expect(parseBody(response)).toEqual({ jobs: [
      { job_id: 'farequote', data_counts: { processed_record_count: 86275 } },
    ] });
  });
});

describe('the product header', () => {
  // Elasticsearch 7.14 and later send it on every answer; the official
  // clients refuse a 2xx answer without it.
  const PRODUCT = 'Elasticsearch';

  test('is on a success', async () => {
    const { api } = setUp();

    const response = await api(httpRequest('GET', '/_ml/anomaly_detectors'));

    expect(response.headers['x-elastic-product']).toBe(PRODUCT);
  });

  test('is on an error in the envelope and on a bare 500', async () => {
    const known = await failing(jobNotFound('farequote'));
    const unknown = await failing(new TypeError('boom'));

    expect(known.response.status).toBe(404);
    expect(known.response.headers['x-elastic-product']).toBe(PRODUCT);
    expect(unknown.response.status).toBe(500);
    expect(unknown.response.headers['x-elastic-product']).toBe(PRODUCT);
  });

  test('is on REST-layer refusals: 400 no handler, 405, 406, OPTIONS',
    async () => {
      const { api } = setUp();

      const answers = await Promise.all([
        api(httpRequest('GET', '/_ml/nothing')),
        api(httpRequest('GET', '/_ml/anomaly_detectors/a/_data')),
        api(httpRequest('POST', '/_ml/anomaly_detectors/a/_data',
          { body: '{}' })),
        api(httpRequest('OPTIONS', '/_ml/anomaly_detectors/a/_data')),
      ]);

      expect(answers.map((a) => a.status)).toEqual([400, 405, 406, 200]);
      for (const answer of answers) {
        expect(answer.headers['x-elastic-product']).toBe(PRODUCT);
      }
    });
});

describe('filter_path', () => {
  const counts = { count: 1, jobs: [{ job_id: 'a', state: 'closed',
    data_counts: { input_bytes: 10, bucket_count: 2 } }] };

  test('matches any depth with **', () => {
    expect(filterResponse(counts, '**.bucket_count')).toEqual(
      { jobs: [{ data_counts: { bucket_count: 2 } }] });
  });

  test('removes fields named with a leading minus', () => {
    expect(filterResponse(counts, '-jobs.data_counts,-count')).toEqual(
      { jobs: [{ job_id: 'a', state: 'closed' }] });
  });

  test('leaves an empty object when nothing matches', () => {
    expect(filterResponse(counts, 'nothing')).toEqual({});
  });

  test('keeps and drops a field named __proto__ like any other', () => {
    const settings = JSON.parse('{"jobs":[{"custom_settings":'
      + '{"__proto__":{"x":1},"y":2}}]}') as unknown;
    const kept = filterResponse(settings, 'jobs.custom_settings.__proto__');
    expect(JSON.stringify(kept)).toBe(
      '{"jobs":[{"custom_settings":{"__proto__":{"x":1}}}]}');
    const left = filterResponse(settings, '-jobs.custom_settings.y');
    expect(JSON.stringify(left)).toBe(
      '{"jobs":[{"custom_settings":{"__proto__":{"x":1}}}]}');
  });

  test('matches * within one name only', () => {
    expect(filterResponse(counts, 'jobs.*_id,jobs.data_counts.*_count'))
      .toEqual({ jobs: [{ job_id: 'a',
        data_counts: { bucket_count: 2 } }] });
  });

  test('answers paths of a thousand stars or ** in a query string', () => {
    // As regular expressions or unshared states these take longer than
    // the test may run: 1,000 stars then a letter, and 1,000 levels of **.
    const stars = `jobs.${'*'.repeat(1_000)}Z`;
    const depths = `${Array(1_000).fill('**').join('.')}.input_bytes`;
    expect(filterResponse(counts, stars)).toEqual({});
    expect(filterResponse(counts, depths)).toEqual(
      { jobs: [{ data_counts: { input_bytes: 10 } }] });
  });
});

describe('errors', () => {
  test('render an MlError as the spec 11.1 envelope', async () => {
    const { response } = await failing(jobNotFound('farequote'));

    expect(response.status).toBe(404);
    expect(response.body).toBe('{"error":{"root_cause":[{"type":'
      + '"resource_not_found_exception","reason":"No known job with id '
      + '\'farequote\'"}],"type":"resource_not_found_exception","reason":'
      + '"No known job with id \'farequote\'"},"status":404}');
  });

  test('put the wrapped cause in caused_by and root_cause', async () => {
    const error = new MlError(500, 'exception',
      'java.lang.IllegalArgumentException: bad', {
        causedBy: { type: 'illegal_argument_exception', reason: 'bad' },
      });

    const { response } = await failing(error);

    expect(parseBody(response)).toEqual({
      error: {
        root_cause: [{ type: 'illegal_argument_exception', reason: 'bad' }],
        type: 'exception',
        reason: 'java.lang.IllegalArgumentException: bad',
        caused_by: { type: 'illegal_argument_exception', reason: 'bad' },
      },
      status: 500,
    });
  });

  test('copy their headers, such as Retry-After', async () => {
    const error = new MlError(429, 'status_exception', 'busy',
      { headers: { 'Retry-After': '10' } });

    const { response } = await failing(error);

    expect(response.status).toBe(429);
    expect(response.headers['Retry-After']).toBe('10');
  });

  test('show an authentication challenge under header too', async () => {
    const challenge = 'Basic realm="security" charset="UTF-8"';
    const error = new MlError(401, 'security_exception',
      'missing authentication credentials for REST request [/_ml]',
      { headers: { 'WWW-Authenticate': challenge } });

    const { response } = await failing(error);

    expect(response.headers['WWW-Authenticate']).toBe(challenge);
    const body = parseBody(response);
    expect(body.error.header).toEqual({ 'WWW-Authenticate': challenge });
    expect(body.error.root_cause[0].header)
      .toEqual({ 'WWW-Authenticate': challenge });
  });

  test('render a simple MlError as the simple body', async () => {
    const error = new MlError(406, 'x', 'Content-Type header is missing',
      { simple: true });

    const { response } = await failing(error);

    expect(parseBody(response)).toEqual(
      { error: 'Content-Type header is missing', status: 406 });
  });

  test('render a CountingError like an MlError', async () => {
    const { api } = setUp({
      postData: async () => {
        throw new CountingError('parse_exception',
          'The input JSON data is malformed.');
      },
    });

    const response = await api(httpRequest('POST',
      '/_ml/anomaly_detectors/farequote/_data'));

    expect(response.status).toBe(400);
    expect(parseBody(response).error).toMatchObject({
      type: 'parse_exception', reason: 'The input JSON data is malformed.',
    });
  });

  test('turn anything else into a bare 500 and report it', async () => {
    const secret = new Error('table ml-intake at 10.0.0.1 exploded');

    const { response, unexpected } = await failing(secret);

    expect(response.status).toBe(500);
    expect(parseBody(response)).toEqual({
      error: {
        root_cause: [{ type: 'exception', reason: 'Internal server error' }],
        type: 'exception',
        reason: 'Internal server error',
      },
      status: 500,
    });
    expect(response.body).not.toContain('exploded');
    expect(unexpected).toEqual([secret]);
  });

  test('are indented too with ?pretty', async () => {
    const { response } = await failing(jobNotFound('a'), `${FLUSH}?pretty`);

    expect(response.body.startsWith('{\n  "error" : {\n')).toBe(true);
    expect(response.body.endsWith('\n}\n')).toBe(true);
  });
});

describe('numbers in JSON', () => {
  // Java longs: 2^63 here stands for Long.MAX_VALUE (a saturated time).
  test.each([
    [2 ** 63, '9223372036854775807'], [-(2 ** 63), '-9223372036854775808'],
    [2 ** 53 + 2, '9007199254740994'], [1449446400000, '1449446400000'],
    [0.5, '0.5'], [Number.NaN, 'null'],
  ])('prints %d as %s, compact and pretty', (value, text) => {
    expect(jsonResponse(200, { n: value, list: [value] }, false).body)
      .toBe(`{"n":${text},"list":[${text}]}`);
    expect(jsonResponse(200, { n: value }, true).body)
      .toBe(`{\n  "n" : ${text}\n}\n`);
  });

  test('leaves out undefined fields as JSON.stringify does', () => {
    const body = { a: 1, b: undefined, c: [undefined], d: 'x"y' };
    expect(jsonResponse(200, body, false).body).toBe(JSON.stringify(body));
  });
});
