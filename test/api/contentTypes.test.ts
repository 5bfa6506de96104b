import { describe, expect, test } from 'vitest';
import { createApi } from '../../lib/api/createApi.js';
import { createJobServiceDouble } from '../support/jobServiceDouble.js';
import { httpRequest, parseBody } from './requests.js';

const DATA = '/_ml/anomaly_detectors/farequote/_data';
const RECORD = '{"time":1403481600,"airline":"AAL"}\n';

function setUp() {
  const double = createJobServiceDouble();
  const api = createApi({
    jobs: double.jobs, config: { maxBodyBytes: 1024 * 1024 },
  });
  return { ...double, api };
}

async function postWith(headers: Record<string, string>, body = RECORD) {
  const { api, calls } = setUp();
  const response = await api(httpRequest('POST', DATA, { headers, body }));
  return { response, calls };
}

describe('post data content types (spec 1.3)', () => {
  const accepted = [
    'application/json',
    'application/x-ndjson',
    'Application/JSON; charset=UTF-8',
    'application/vnd.elasticsearch+json; compatible-with=8',
    'application/vnd.elasticsearch+x-ndjson;compatible-with=7',
  ];
  for (const type of accepted) {
    test(`accepts ${type}`, async () => {
      const { response, calls } = await postWith({ 'content-type': type });

      expect(response.status).toBe(202);
      expect(calls).toHaveLength(1);
    });
  }

  const refused: Array<[string, string]> = [
    ['text/plain', 'Content-Type header [text/plain] is not supported'],
    ['application/x-www-form-urlencoded', 'Content-Type header '
      + '[application/x-www-form-urlencoded] is not supported'],
    ['application/json; charset=ISO-8859-1', 'Content-Type header '
      + '[application/json; charset=ISO-8859-1] is not supported'],
    ['application/cbor', 'Content-Type [cbor] does not support stream '
      + 'parsing. Use JSON or SMILE instead'],
    ['application/yaml', 'Content-Type [yaml] does not support stream '
      + 'parsing. Use JSON or SMILE instead'],
    ['application/smile', 'Content-Type [smile] is not supported by this '
      + 'service. Send JSON or NDJSON instead'],
  ];
  for (const [type, message] of refused) {
    test(`refuses ${type} with 406 and a simple body`, async () => {
      const { response, calls } = await postWith({ 'content-type': type });

      expect(response.status).toBe(406);
      expect(parseBody(response)).toEqual({ error: message, status: 406 });
      expect(calls).toHaveLength(0);
    });
  }

  test('refuses a non-empty body without Content-Type', async () => {
    const { response } = await postWith({});

    expect(response.status).toBe(406);
    expect(parseBody(response)).toEqual({
      error: 'Content-Type header is missing', status: 406,
    });
  });

  test('takes an empty body without Content-Type as an empty upload',
    async () => {
      const { response, calls } = await postWith({}, '');

      expect(response.status).toBe(202);
      expect(calls[0].chunks).toEqual([]);
    });
});

describe('bodies of the other routes', () => {
  test('need a JSON content type too', async () => {
    const { api } = setUp();

    const response = await api(httpRequest('PUT',
      '/_ml/anomaly_detectors/a', {
        headers: { 'content-type': 'application/smile' }, body: '{}',
      }));

    expect(response.status).toBe(406);
  });

  test('must parse as JSON', async () => {
    const { api, calls } = setUp();

    const response = await api(httpRequest('PUT',
      '/_ml/anomaly_detectors/a', {
        headers: { 'content-type': 'application/json' }, body: '{"a":',
      }));

    expect(response.status).toBe(400);
    expect(parseBody(response).error.type).toBe('x_content_parse_exception');
    expect(calls).toHaveLength(0);
  });

  test('is required to create a job', async () => {
    const { api } = setUp();

    const response = await api(httpRequest('PUT',
      '/_ml/anomaly_detectors/a'));

    expect(response.status).toBe(400);
    expect(parseBody(response).error).toMatchObject({
      type: 'parse_exception', reason: 'request body is required',
    });
  });

  test('is refused where the route takes none', async () => {
    const { api } = setUp();

    const response = await api(httpRequest('GET',
      '/_ml/anomaly_detectors/a/_stats', {
        headers: { 'content-type': 'application/json' }, body: '{}',
      }));

    expect(response.status).toBe(400);
    expect(parseBody(response).error.reason).toBe(
      'request [GET /_ml/anomaly_detectors/a/_stats] does not support '
        + 'having a body');
  });
});
