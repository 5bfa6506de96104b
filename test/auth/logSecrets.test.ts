import { pino } from 'pino';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { createHttpHandler } from '../../functions/http.js';
import { createFirstKey } from '../../lib/auth/keyService.js';
import { loadConfig } from '../../lib/config.js';
import type { JobService } from '../../lib/jobs/types.js';
import {
  apiEvent, bodyOf, startRealHandler, withKey,
} from './realHandler.js';

/**
 * Logs must never hold a key, a secret, a presigned URL's signature or a
 * body. Each request below carries one of them; the captured log lines
 * are then searched for every one.
 */

const BODY_MARKER = 'body-marker-7f3a9c';
const SIGNATURE = 'X-Amz-Signature=0123456789abcdef0123456789abcdef';
const JSON_TYPE = { 'content-type': 'application/json' };

let setup: Awaited<ReturnType<typeof startRealHandler>>;
let admin: { id: string; api_key: string; encoded: string };

beforeAll(async () => {
  setup = await startRealHandler(inject('dynamoUrl'));
  admin = await createFirstKey(setup.keyStore,
    { name: 'first', privileges: ['all'] });
});

afterAll(() => setup.close());

test('request lines name the request but hold no key, secret or body',
  async () => {
    const created = await setup.handler(apiEvent('POST',
      '/_security/api_key', {
        headers: { ...withKey(admin.encoded), ...JSON_TYPE },
        body: JSON.stringify({ name: BODY_MARKER }),
      }));
    const made = bodyOf(created);
    await setup.handler(apiEvent('POST',
      '/_ml/anomaly_detectors/logged/_data', {
        headers: { ...withKey(made.encoded), ...JSON_TYPE },
        body: `{"time":1,"secret":"${BODY_MARKER}"}`,
        query: SIGNATURE,
      }));
    await setup.handler(apiEvent('GET', '/_ml/anomaly_detectors', {
      headers: withKey(`${admin.encoded}x`),
    }));

    const logged = setup.lines.join('\n');
    expect(setup.lines).toHaveLength(3);
    expect(JSON.parse(setup.lines[0])).toMatchObject(
      { method: 'POST', path: '/_security/api_key', status: 200 });
    for (const secret of [admin.api_key, admin.encoded, made.api_key,
      made.encoded, BODY_MARKER, SIGNATURE, '0123456789abcdef']) {
      expect(logged).not.toContain(secret);
    }
  });

test('an unexpected error is logged without what it carries', async () => {
  const lines: string[] = [];
  const logger = pino({ base: undefined }, {
    write: (line: string) => { lines.push(line); },
  });
  // As an SDK error holds the item and request that failed.
  const failure = Object.assign(new Error('the store failed'), {
    item: { secretHash: admin.api_key }, input: BODY_MARKER,
  });
  const jobs = {
    getJobs: async () => { throw failure; },
  } as unknown as JobService;
  const handler = createHttpHandler({ jobs, config: loadConfig({}), logger });

  const result = await handler(apiEvent('GET', '/_ml/anomaly_detectors'));

  expect(result.statusCode).toBe(500);
  const logged = lines.join('\n');
  expect(JSON.parse(lines[0])).toMatchObject(
    { msg: 'unexpected error', err: { message: 'the store failed' } });
  expect(logged).not.toContain(admin.api_key);
  expect(logged).not.toContain(BODY_MARKER);
});
