import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { createHttpHandler } from '../../functions/http.js';
import { loadConfig } from '../../lib/config.js';
import { apiEvent, bodyOf } from '../auth/realHandler.js';
import { createJobServiceDouble } from '../support/jobServiceDouble.js';

function setUp() {
  const double = createJobServiceDouble();
  const handler = createHttpHandler({
    jobs: double.jobs, config: loadConfig({}),
    logger: pino({ level: 'silent' }),
  });
  return { ...double, handler };
}

// "/_ml/anomaly_detectors" is 22 bytes; "?" one more.
const PATH = '/_ml/anomaly_detectors';

describe('the request target limit of 4096 bytes', () => {
  test('lets a path and query of exactly 4096 bytes through', async () => {
    const { handler, calls } = setUp();
    // 22 + 1 + 4073 = 4096.
    const query = `pretty=${'x'.repeat(4073 - 'pretty='.length)}`;

    const result = await handler(apiEvent('GET', PATH, { query }));

    expect(result.statusCode).toBe(200);
    expect(calls).toHaveLength(1);
  });

  test('refuses one byte more with Elasticsearch\'s 400', async () => {
    const { handler, calls } = setUp();
    const query = `pretty=${'x'.repeat(4074 - 'pretty='.length)}`;

    const result = await handler(apiEvent('GET', PATH, { query }));

    expect(result.statusCode).toBe(400);
    const reason = 'An HTTP line is larger than 4096 bytes.';
    expect(bodyOf(result)).toEqual({
      error: {
        root_cause: [{ type: 'too_long_http_line_exception', reason }],
        type: 'too_long_http_line_exception', reason,
      },
      status: 400,
    });
    expect(calls).toHaveLength(0);
  });

  test('counts bytes, not characters', async () => {
    const { handler } = setUp();
    // "é" is two bytes: 22 + 1 + 2 * 2037 = 4097.
    const query = 'é'.repeat(2037);

    const result = await handler(apiEvent('GET', PATH, { query }));

    expect(result.statusCode).toBe(400);
  });
});
