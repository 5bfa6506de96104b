import { afterEach, expect, test } from 'vitest';
import { apiEvent } from './realHandler.js';

const saved = process.env.ML_AUTH;

afterEach(() => {
  if (saved === undefined) delete process.env.ML_AUTH;
  else process.env.ML_AUTH = saved;
});

test('the Lambda handler refuses to run with ML_AUTH=off', async () => {
  process.env.ML_AUTH = 'off';
  const { handler } = await import('../../functions/http.js');

  expect(() => handler(apiEvent('GET', '/_ml/anomaly_detectors')))
    .toThrow(/^ML_AUTH=off is refused in Lambda/);
});
