import { describe, expect, test } from 'vitest';
import { errorResponse } from '../../lib/api/responses.js';
import {
  missingCredentials, unsuccessfulApiKey,
} from '../../lib/auth/securityErrors.js';
import { MlError } from '../../lib/errors.js';

const parse = (error: unknown) =>
  JSON.parse(errorResponse(error, false).body);

// The reason Elasticsearch gives when a presented key does not work.
const UNABLE = 'unable to authenticate with provided credentials and '
  + 'anonymous access is not allowed for this request';

describe('an error with metadata', () => {
  test('shows a missing key as the security envelope with its challenge',
    () => {
      const error = missingCredentials('/_ml/anomaly_detectors');

      const root = {
        type: 'security_exception',
        reason: 'missing authentication credentials for REST request '
          + '[/_ml/anomaly_detectors]',
        header: { 'WWW-Authenticate': 'ApiKey' },
      };
      expect(parse(error)).toEqual({
        error: { root_cause: [root], ...root }, status: 401,
      });
    });

  test('shows the unsuccessful credentials in the error and its root cause',
    () => {
      const body = parse(unsuccessfulApiKey('api key is expired'));

      const expected = {
        type: 'security_exception',
        reason: UNABLE,
        additional_unsuccessful_credentials: 'API key: api key is expired',
        header: { 'WWW-Authenticate': 'ApiKey' },
      };
      expect(body.error.root_cause).toEqual([expected]);
      expect(body.error).toMatchObject(expected);
      expect(body.status).toBe(401);
    });

  test('puts the fields in Elasticsearch order: metadata, then header', () => {
    const body = errorResponse(unsuccessfulApiKey('x'), false).body;

    const order = ['"type"', '"reason"',
      '"additional_unsuccessful_credentials"', '"header"'];
    const rootCause = body.slice(body.indexOf('[{'), body.indexOf('}]'));
    const positions = order.map((field) => rootCause.indexOf(field));
    expect(positions.every((at) => at >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  test('keeps metadata out of a wrapped root cause', () => {
    const error = new MlError(500, 'exception', 'outer', {
      causedBy: { type: 'illegal_argument_exception', reason: 'inner' },
      metadata: { detail: 'outer only' },
    });

    const body = parse(error);

    expect(body.error.root_cause).toEqual(
      [{ type: 'illegal_argument_exception', reason: 'inner' }]);
    expect(body.error.detail).toBe('outer only');
  });

  test('sends the challenge as a response header too', () => {
    const response = errorResponse(missingCredentials('/'), false);

    expect(response.headers['WWW-Authenticate']).toBe('ApiKey');
  });
});
