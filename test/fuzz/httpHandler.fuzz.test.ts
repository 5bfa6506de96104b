import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import {
  apiEvent, bodyOf, startRealHandler,
} from '../auth/realHandler.js';

/**
 * Random and mutated uploads through the Lambda handler with the real job
 * service on dynalite. Every answer must be well formed and below 500,
 * and the job's totals afterwards must be exactly the sum of what the
 * accepted (202) uploads counted: a refused upload adds nothing.
 */

const JOB = 'fuzzed';
const RUNS = 400;
/**
 * The counters that add up across uploads. `processed_field_count` does
 * not: it is derived from the record count and the analysed-field count
 * of the session (spec §3.6), which the first upload after open sets.
 */
const COUNTERS = [
  'processed_record_count', 'input_bytes', 'input_field_count',
  'invalid_date_count', 'missing_field_count',
  'out_of_order_timestamp_count', 'input_record_count',
] as const;

let setup: Awaited<ReturnType<typeof startRealHandler>>;
const accepted: Record<string, number> = Object.fromEntries(
  COUNTERS.map((name) => [name, 0]));

beforeAll(async () => {
  setup = await startRealHandler(inject('dynamoUrl'), { auth: 'off' });
  await setup.jobs.putJob(JOB, {
    analysis_config: { bucket_span: '1h', detectors: [{
      function: 'mean', field_name: 'responsetime', by_field_name: 'airline',
    }] },
    data_description: { time_field: 'time', time_format: 'epoch' },
  });
  await setup.jobs.openJob(JOB);
});

afterAll(() => setup.close());

const record = fc.record({
  time: fc.oneof(
    fc.integer({ min: 1_403_481_600, max: 1_403_568_000 }).map(String),
    fc.integer({ min: 1_403_481_600, max: 1_403_568_000 }),
    fc.constantFrom('', 'not a time', null)),
  responsetime: fc.oneof(fc.double({ noNaN: true }), fc.string()),
  airline: fc.constantFrom('AAL', 'JZA', 'KLM', 'ÄÖÜ'),
}, { requiredKeys: [] });

const goodText = fc.array(record, { maxLength: 8 })
  .chain((records) => fc.constantFrom('\n', '', ' ', '\r\n').map(
    (separator) => records.map((r) => JSON.stringify(r)).join(separator)));

/** A good body with a few bytes replaced, dropped or inserted. */
const mutated = fc.tuple(goodText, fc.array(fc.tuple(
  fc.nat(), fc.integer({ min: 0, max: 255 }),
  fc.constantFrom('set', 'drop', 'insert')), { maxLength: 4 }))
  .map(([text, edits]) => {
    const bytes = [...Buffer.from(text)];
    for (const [at, value, kind] of edits) {
      if (bytes.length === 0) break;
      const i = at % bytes.length;
      if (kind === 'set') bytes[i] = value;
      else if (kind === 'drop') bytes.splice(i, 1);
      else bytes.splice(i, 0, value);
    }
    return Buffer.from(bytes);
  });

const body = fc.oneof(
  { arbitrary: goodText.map((text) => Buffer.from(text)), weight: 3 },
  { arbitrary: mutated, weight: 2 },
  { arbitrary: fc.uint8Array({ maxLength: 300 })
    .map((bytes) => Buffer.from(bytes)), weight: 1 },
);

// Weighted towards types that reach the reader, so that most runs count.
const contentType = fc.oneof(
  { arbitrary: fc.constantFrom('application/json', 'application/x-ndjson',
    'application/json; charset=UTF-8'), weight: 6 },
  { arbitrary: fc.constantFrom('text/plain', 'application/smile',
    'application/yaml', 'application/cbor', undefined), weight: 1 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 1 });

const encoding = fc.constantFrom('none', 'none', 'none', 'gzip', 'deflate',
  'gzip-header-only', 'br', 'x-unknown');

const query = fc.oneof(
  { arbitrary: fc.constantFrom('', 'human', 'pretty',
    'reset_start=1403481600'), weight: 6 },
  { arbitrary: fc.constantFrom('reset_start=abc',
    'reset_end=1403481600&reset_start=1403485200', 'unknown_param=1',
    'format=yaml'), weight: 1 },
  { arbitrary: fc.string({ maxLength: 60 }).map(encodeURI), weight: 1 });

function encode(bytes: Buffer, how: string): {
  bytes: Buffer; header?: string;
} {
  if (how === 'gzip') return { bytes: gzipSync(bytes), header: 'gzip' };
  if (how === 'deflate') {
    return { bytes: deflateSync(bytes), header: 'deflate' };
  }
  if (how === 'gzip-header-only') return { bytes, header: 'gzip' };
  if (how === 'none') return { bytes };
  return { bytes, header: how };
}

function expectWellFormed(status: number, answer: any): void {
  expect(status).toBeGreaterThanOrEqual(200);
  expect(status).toBeLessThan(500);
  if (status < 400) return;
  if (typeof answer.error === 'string') return;
  expect(answer.status).toBe(status);
  expect(typeof answer.error.type).toBe('string');
  expect(typeof answer.error.reason).toBe('string');
  expect(answer.error.root_cause).toHaveLength(1);
}

test('any upload gets a well-formed answer and totals add up', async () => {
  await fc.assert(fc.asyncProperty(
    body, contentType, encoding, query,
    async (raw, type, how, search) => {
      const { bytes, header } = encode(raw, how);
      const headers: Record<string, string> = {};
      if (type !== undefined) headers['content-type'] = type;
      if (header !== undefined) headers['content-encoding'] = header;

      const result = await setup.handler(apiEvent('POST',
        `/_ml/anomaly_detectors/${JOB}/_data`,
        { headers, body: bytes, query: search }));

      const status = result.statusCode ?? 0;
      const answer = bodyOf(result);
      expectWellFormed(status, answer);
      if (status !== 202) return;
      for (const name of COUNTERS) {
        expect(typeof answer[name]).toBe('number');
        accepted[name] += answer[name];
      }
    }), { numRuns: RUNS });

  const stats = await setup.handler(apiEvent('GET',
    `/_ml/anomaly_detectors/${JOB}/_stats`));
  const totals = bodyOf(stats).jobs[0].data_counts;
  for (const name of COUNTERS) expect(totals[name]).toBe(accepted[name]);
  expect(accepted.processed_record_count).toBeGreaterThan(0);
});
