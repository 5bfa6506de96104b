import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ApiAnswer, jobsApi } from '../support/api.js';
import { startTestStack, type TestStack } from '../support/localStack.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.close();
});

/** A count job as JSON text, with `"SLOT"` where `inner` goes. */
const countJobWith = (extra: object, inner = ''): string =>
  JSON.stringify({
    analysis_config: { detectors: [{ function: 'count' }] },
    data_description: {},
    ...extra,
  }).replace('"SLOT"', inner);

/** PUTs a job body as sent; a server that stalls fails the test at 10 s. */
const putRaw = (jobId: string, body: string): Promise<ApiAnswer> =>
  jobsApi(stack.url).request('PUT', `/_ml/anomaly_detectors/${jobId}`,
    { body, signal: AbortSignal.timeout(10_000) });

describe('job bodies that used to stall the server or answer 500', () => {
  test('100,000 influencers get a 400 for the stored size at once',
    async () => {
      // f0 … f99999 are 588,890 characters; with quotes and commas the
      // array is 888,891 bytes of JSON: under the 1 MiB body limit, over
      // the 400,000 bytes a stored job may take.
      const influencers = Array.from({ length: 100_000 }, (_, i) => `f${i}`);

      const answer = await putRaw('many-influencers', countJobWith({
        analysis_config: { detectors: [{ function: 'count' }], influencers },
      }));

      expect(answer.status).toBe(400);
      expect(answer.json.error.type).toBe('status_exception');
      expect(answer.json.error.reason).toMatch(
        /^The job takes \d+ bytes as stored, more than the limit of 400000;/);
    });

  test('custom_settings nested 100,000 deep get a 400', async () => {
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;

    const answer = await putRaw('deep-settings',
      countJobWith({ custom_settings: 'SLOT' }, deep));

    expect(answer.status).toBe(400);
    expect(answer.json.error.reason).toBe('[job_details] nests objects and '
      + 'arrays deeper than the limit of 100 levels');
  });

  test('custom_rules nested 100,000 deep get a 400', async () => {
    const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;

    const answer = await putRaw('deep-rules', countJobWith({
      analysis_config: { detectors: [{ function: 'count',
        custom_rules: 'SLOT' }] },
    }, deep));

    expect(answer.status).toBe(400);
    expect(answer.json.error.type).toBe('x_content_parse_exception');
  });

  test('a 90 MB description gets a 413 for the JSON body limit',
    async () => {
      const answer = await putRaw('long-description',
        countJobWith({ description: 'x'.repeat(90_000_000) }));

      expect(answer.status).toBe(413);
      expect(answer.json.error.reason).toMatch(
        /^The request body is larger than the limit of 1048576 bytes \(1mb\)/);
    });

  test('100,000 detectors get a 413 for the JSON body limit', async () => {
    // {"function":"count"} and a comma: 21 bytes each, 2.1 MB in all.
    const detectors = Array.from({ length: 100_000 },
      () => ({ function: 'count' }));

    const answer = await putRaw('many-detectors',
      countJobWith({ analysis_config: { detectors } }));

    expect(answer.status).toBe(413);
  });

  test('leave the server answering as before', async () => {
    const answer = await putRaw('after-limits', countJobWith({}));

    expect(answer.status).toBe(200);
    expect(answer.json.job_id).toBe('after-limits');
  });
});
