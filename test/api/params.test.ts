import { describe, expect, test } from 'vitest';
import { createApi } from '../../lib/api/createApi.js';
import { similarity } from '../../lib/api/params.js';
import { createJobServiceDouble } from '../support/jobServiceDouble.js';
import { httpRequest, JSON_HEADERS, parseBody } from './requests.js';

function setUp() {
  const double = createJobServiceDouble();
  const api = createApi({
    jobs: double.jobs, config: { maxBodyBytes: 1024 * 1024 },
  });
  return { ...double, api };
}

describe('query parameters', () => {
  test('refuses an unknown one with the spec 1.2 message', async () => {
    const { api, calls } = setUp();

    const response = await api(httpRequest('POST',
      '/_ml/anomaly_detectors/a/_data?bogus=1'));

    expect(response.status).toBe(400);
    expect(parseBody(response)).toEqual({
      error: {
        root_cause: [{ type: 'illegal_argument_exception', reason:
          'request [/_ml/anomaly_detectors/a/_data] contains unrecognized '
            + 'parameter: [bogus]' }],
        type: 'illegal_argument_exception',
        reason: 'request [/_ml/anomaly_detectors/a/_data] contains '
          + 'unrecognized parameter: [bogus]',
      },
      status: 400,
    });
    expect(calls).toHaveLength(0);
  });

  test('suggests a close name, as Elasticsearch does', async () => {
    const { api } = setUp();

    const response = await api(httpRequest('DELETE',
      '/_ml/anomaly_detectors/a?forse=true'));

    // forse/force: 1 edit in 5 letters, similarity 0.8 > 0.5.
    // forse/format: 3 edits in 6 letters, 0.5, not above 0.5.
    expect(parseBody(response).error.reason).toBe(
      'request [/_ml/anomaly_detectors/a] contains unrecognized parameter: '
        + '[forse] -> did you mean [force]?');
  });

  test('lists several unknown ones in name order', async () => {
    const { api } = setUp();

    const response = await api(httpRequest('GET',
      '/_ml/anomaly_detectors?zz=1&aa=2'));

    expect(parseBody(response).error.reason).toBe(
      'request [/_ml/anomaly_detectors] contains unrecognized parameters: '
        + '[aa], [zz]');
  });

  test('accepts the global ones on every route', async () => {
    const { api, calls } = setUp();

    const response = await api(httpRequest('GET', '/_ml/anomaly_detectors'
      + '?pretty&human=false&error_trace=true&filter_path=x&format=json'));

    expect(response.status).toBe(200);
    expect(calls).toHaveLength(1);
  });

  test('refuses a boolean that is neither true nor false', async () => {
    const { api } = setUp();

    const response = await api(httpRequest('DELETE',
      '/_ml/anomaly_detectors/a?force=yes'));

    expect(response.status).toBe(400);
    expect(parseBody(response).error.reason).toBe(
      'Failed to parse value [yes] as only [true] or [false] are allowed.');
  });

  test('refuses a response format other than json', async () => {
    const { api } = setUp();

    const response = await api(httpRequest('GET',
      '/_ml/anomaly_detectors?format=yaml'));

    expect(response.status).toBe(406);
  });

  test('hands reset_start and reset_end to post data as sent', async () => {
    const { api, calls } = setUp();

    await api(httpRequest('POST', '/_ml/anomaly_detectors/a/_data'
      + '?reset_start=2016-05-01T10:00:00Z&reset_end=1462100400'));

    expect(calls[0].args[1]).toEqual({ human: false, reset: {
      start: '2016-05-01T10:00:00Z', end: '1462100400' } });
  });

  test('passes human to flush, stats and post data', async () => {
    const { api, calls } = setUp();

    await api(httpRequest('POST', '/_ml/anomaly_detectors/a/_flush?human'));
    await api(httpRequest('GET', '/_ml/anomaly_detectors/a/_stats?human'));
    await api(httpRequest('POST', '/_ml/anomaly_detectors/a/_data'
      + '?human=true'));

    expect(calls[0].args[2]).toEqual({ human: true });
    expect(calls[1].args[1]).toEqual({ human: true, allowNoMatch: true });
    expect(calls[2].args[1]).toMatchObject({ human: true });
  });

  test('accepts wait_for_completion and delete_user_annotations on delete '
    + '(spec 8.6)', async () => {
    const { api, calls } = setUp();

    const response = await api(httpRequest('DELETE', '/_ml/anomaly_detectors'
      + '/a?wait_for_completion=false&delete_user_annotations=true'));
    const malformed = await api(httpRequest('DELETE',
      '/_ml/anomaly_detectors/a?wait_for_completion=soon'));

    expect(response.status).toBe(200);
    expect(calls[0].args).toEqual(['a', { force: false }]);
    expect(malformed.status).toBe(400);
    expect(parseBody(malformed).error.reason).toBe(
      'Failed to parse value [soon] as only [true] or [false] are allowed.');
    expect(calls).toHaveLength(1);
  });

  test('passes allow_no_match, or the older allow_no_jobs, to close '
    + '(spec 8.3)', async () => {
    const { api, calls } = setUp();
    const close = '/_ml/anomaly_detectors/x*/_close';

    await api(httpRequest('POST', close));
    await api(httpRequest('POST', `${close}?allow_no_match=false`));
    await api(httpRequest('POST', `${close}?allow_no_jobs=false`));
    await api(httpRequest('POST', close, { headers: JSON_HEADERS,
      body: '{"allow_no_jobs":false}' }));
    // The current name wins over the older one.
    await api(httpRequest('POST',
      `${close}?allow_no_match=true&allow_no_jobs=false`));

    expect(calls.map((call) => call.args[1])).toEqual([
      { allowNoMatch: true }, { allowNoMatch: false },
      { allowNoMatch: false }, { allowNoMatch: false },
      { allowNoMatch: true },
    ]);
  });

  test('passes allow_no_match to stats', async () => {
    const { api, calls } = setUp();

    await api(httpRequest('GET',
      '/_ml/anomaly_detectors/x*/_stats?allow_no_match=false'));

    expect(calls[0].args[1]).toEqual({ human: false, allowNoMatch: false });
  });

  test('refuses a timeout on open and close that is not a time value',
    async () => {
      const { api, calls } = setUp();
      const open = '/_ml/anomaly_detectors/a/_open';
      const close = '/_ml/anomaly_detectors/a/_close';

      const good = await Promise.all([
        api(httpRequest('POST', `${open}?timeout=30m`)),
        api(httpRequest('POST', `${close}?timeout=-1`)),
        api(httpRequest('POST', open, { headers: JSON_HEADERS,
          body: '{"timeout":"10s"}' })),
      ]);
      const bad = await Promise.all([
        api(httpRequest('POST', `${open}?timeout=soon`)),
        api(httpRequest('POST', `${close}?timeout=soon`)),
        api(httpRequest('POST', close, { headers: JSON_HEADERS,
          body: '{"timeout":"soon"}' })),
      ]);
      // `bad` ends in d, so TimeValue reads it as days of `ba`.
      const days = await api(httpRequest('POST', `${open}?timeout=bad`));
      const fractional = await api(httpRequest('POST', `${open}?timeout=1.5s`));

      expect(good.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect(calls).toHaveLength(3);
      for (const answer of bad) {
        expect(answer.status).toBe(400);
        expect(parseBody(answer).error).toMatchObject({
          type: 'parse_exception',
          reason: 'failed to parse setting [timeout] with value [soon] as a '
            + 'time value: unit is missing or unrecognized',
        });
      }
      expect(days.status).toBe(400);
      expect(parseBody(days).error.reason).toBe('failed to parse [bad]');
      expect(parseBody(fractional).error.reason).toBe(
        'failed to parse [1.5s], fractional time values are not supported');
    });

  test('passes allow_no_match and exclude_generated to get jobs', async () => {
    const { api, calls } = setUp();

    await api(httpRequest('GET', '/_ml/anomaly_detectors/x*'));
    await api(httpRequest('GET',
      '/_ml/anomaly_detectors/x*?allow_no_match=false&exclude_generated'));
    await api(httpRequest('GET',
      '/_xpack/ml/anomaly_detectors?exclude_generated=true'));
    const malformed = await api(httpRequest('GET',
      '/_ml/anomaly_detectors/a?exclude_generated=yes'));

    expect(calls.map((call) => call.args[1])).toEqual([
      { allowNoMatch: true, excludeGenerated: false },
      { allowNoMatch: false, excludeGenerated: true },
      { allowNoMatch: true, excludeGenerated: true },
    ]);
    expect(malformed.status).toBe(400);
    expect(parseBody(malformed).error.reason).toBe(
      'Failed to parse value [yes] as only [true] or [false] are allowed.');
  });

  test('accepts the datafeed index options on job creation', async () => {
    const { api, calls } = setUp();
    const put = (query: string) => api(httpRequest('PUT',
      `/_ml/anomaly_detectors/a?${query}`,
      { headers: JSON_HEADERS, body: '{"x":1}' }));

    const accepted = await put('allow_no_indices=false&ignore_throttled'
      + '&ignore_unavailable=true&expand_wildcards=open,hidden');
    const all = await put('expand_wildcards=all');
    const badFlag = await put('ignore_unavailable=maybe');
    const badWildcard = await put('expand_wildcards=open,shut');

    expect([accepted.status, all.status]).toEqual([200, 200]);
    expect(calls.map((call) => call.args)).toEqual(
      [['a', { x: 1 }], ['a', { x: 1 }]]);
    expect(badFlag.status).toBe(400);
    expect(parseBody(badFlag).error.reason).toBe(
      'Failed to parse value [maybe] as only [true] or [false] are allowed.');
    expect(badWildcard.status).toBe(400);
    expect(parseBody(badWildcard).error).toMatchObject({
      type: 'illegal_argument_exception',
      reason: 'No valid expand wildcard value [shut]',
    });
  });
});

describe('flush parameters', () => {
  const expected = {
    calcInterim: true, start: '1403481600', end: '1403485200',
    advanceTime: undefined, skipTime: undefined,
  };

  test('come from the query string', async () => {
    const { api, calls } = setUp();

    await api(httpRequest('POST', '/_ml/anomaly_detectors/a/_flush'
      + '?calc_interim=true&start=1403481600&end=1403485200'));

    expect(calls[0].args[1]).toEqual(expected);
  });

  test('come from a JSON body, numbers as their text', async () => {
    const { api, calls } = setUp();

    await api(httpRequest('POST', '/_ml/anomaly_detectors/a/_flush', {
      headers: JSON_HEADERS,
      body: '{"calc_interim":true,"start":1403481600,"end":"1403485200"}',
    }));

    expect(calls[0].args[1]).toEqual(expected);
  });

  test('are not also read from the query when a body is sent', async () => {
    const { api } = setUp();

    const response = await api(httpRequest('POST',
      '/_ml/anomaly_detectors/a/_flush?skip_time=1', {
        headers: JSON_HEADERS, body: '{"calc_interim":true}',
      }));

    expect(response.status).toBe(400);
    expect(parseBody(response).error.reason).toMatch(
      /contains unrecognized parameter: \[skip_time\]/);
  });

  test('refuse an unknown field in the body', async () => {
    const { api } = setUp();

    const response = await api(httpRequest('POST',
      '/_ml/anomaly_detectors/a/_flush', {
        headers: JSON_HEADERS, body: '{"calc_intrim":true}',
      }));

    expect(response.status).toBe(400);
    expect(parseBody(response).error.type).toBe('x_content_parse_exception');
  });
});

describe('similarity', () => {
  test('is one minus the edit distance over the longer length', () => {
    // kitten -> sitting: 3 edits, longer length 7.
    expect(similarity('kitten', 'sitting')).toBeCloseTo(1 - 3 / 7);
    expect(similarity('force', 'force')).toBe(1);
  });
});
