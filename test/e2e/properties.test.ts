/**
 * Invariants over HTTP with bounded runs: splitting an upload keeps the
 * job totals, the framing of a compressed body changes no count, and any
 * bytes get counts or a clear 400, never a 5xx or a hang.
 */
import { constants, createGzip } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jobIds, jobsApi, type JobsApi } from '../support/api.js';
import { startTestStack, type TestStack } from '../support/localStack.js';

let stack: TestStack;
let api: JobsApi;
const nextJob = jobIds('prop');

beforeAll(async () => {
  stack = await startTestStack();
  api = jobsApi(stack.url);
});
afterAll(async () => {
  await stack.close();
});

// metric(value), span 1 h, latency 0. With a latency, a bucket finalised
// empty at the end of one upload may still take a late record in the next
// (§7.4 flushes whatever the latency), so splitting would change the empty
// count; the property is stated for latency 0.
const valueJob = {
  analysis_config: { bucket_span: '1h',
    detectors: [{ function: 'metric', field_name: 'value' }] },
  data_description: { time_format: 'epoch' },
};

async function openJob(): Promise<string> {
  const jobId = nextJob();
  await api.openedJob(jobId, valueJob);
  return jobId;
}

/** One NDJSON line, newline included; times mostly move forwards. */
const lineSpec = fc.record({
  stepSec: fc.integer({ min: -5000, max: 9000 }),
  time: fc.constantFrom('number', 'string', 'invalid', 'absent'),
  value: fc.boolean(),
  text: fc.string({ maxLength: 4, unit: 'grapheme' }),
});
type LineSpec = { stepSec: number; time: string; value: boolean;
  text: string };

function toLines(specs: LineSpec[]): string[] {
  let t = 1403481600;
  return specs.map(({ stepSec, time, value, text }) => {
    t += stepSec;
    const fields: string[] = [];
    if (time === 'number') fields.push(`"time":${t}`);
    if (time === 'string') fields.push(`"time":"${t}"`);
    if (time === 'invalid') fields.push('"time":"later"');
    if (value) fields.push('"value":1.5');
    fields.push(`"note":${JSON.stringify(text)}`);
    return `{${fields.join(',')}}\n`;
  });
}

const lineLists = fc.array(lineSpec, { minLength: 1, maxLength: 40 })
  .map(toLines);

/** The totals that do not depend on the wall clock or on sparseness. */
const COMPARED = [
  'processed_record_count', 'processed_field_count', 'input_bytes',
  'input_field_count', 'invalid_date_count', 'missing_field_count',
  'out_of_order_timestamp_count', 'empty_bucket_count', 'bucket_count',
  'earliest_record_timestamp', 'latest_record_timestamp',
  'latest_empty_bucket_timestamp', 'input_record_count',
];
const comparable = (counts: Record<string, unknown>) =>
  Object.fromEntries(COMPARED.map((key) => [key, counts[key]]));

describe('invariants over HTTP', () => {
  test('splitting an upload into several keeps the job totals', async () => {
    await fc.assert(fc.asyncProperty(lineLists,
      fc.array(fc.nat(), { maxLength: 4 }), async (lines, cuts) => {
        const whole = await openJob();
        await api.post(whole, lines.join(''));

        const split = await openJob();
        const edges = [...new Set(cuts.map((c) => c % lines.length))]
          .sort((a, b) => a - b);
        let from = 0;
        for (const edge of [...edges, lines.length]) {
          await api.post(split, lines.slice(from, edge).join(''));
          from = edge;
        }

        expect(comparable(await api.dataCounts(split)))
          .toEqual(comparable(await api.dataCounts(whole)));
      }), { numRuns: 15 });
  });

  test('the framing of a gzip body changes no count', async () => {
    await fc.assert(fc.asyncProperty(lineLists,
      fc.array(fc.nat(), { maxLength: 6 }), async (lines, flushes) => {
        const body = Buffer.from(lines.join(''));
        const plain = await api.post(await openJob(), new Uint8Array(body));
        const sent = await gzipWithFlushes(body,
          flushes.map((at) => at % (body.length + 1)));
        const gzipped = await api.post(await openJob(), sent,
          { headers: { 'content-encoding': 'gzip' } });

        expect(gzipped.status).toBe(202);
        expect(comparable(gzipped.json)).toEqual(comparable(plain.json));
      }), { numRuns: 15 });
  });

  test('any bytes get counts or a clear 400, and a 400 counts nothing',
    async () => {
      const jobId = await openJob();
      const jsonish = fc.string({ maxLength: 80, unit: fc.constantFrom(
        '{', '}', '[', ']', '"', ':', ',', ' ', '\n', '\\', 'a', '1', 'é',
        'time', '"time":', '1403481600', 'null', '\u0002') });
      const bytes = fc.oneof(
        fc.uint8Array({ maxLength: 200 }),
        jsonish.map((text) => new TextEncoder().encode(text)));

      await fc.assert(fc.asyncProperty(bytes, async (body) => {
        const before = await api.dataCounts(jobId);
        const answer = await api.post(jobId, body,
          { signal: AbortSignal.timeout(10_000) });

        expect([202, 400]).toContain(answer.status);
        if (answer.status === 400) {
          expect(answer.json.error.reason).toEqual(expect.any(String));
          expect((await api.dataCounts(jobId)).input_record_count)
            .toBe(before.input_record_count);
        }
      }), { numRuns: 150 });
    });

  test('a record cut inside a multi-byte character at a 64 KiB edge',
    async () => {
      // The API hands the body on in 64 KiB pieces. Padding puts the two
      // bytes of "é" (0xC3 0xA9) at offsets 65535 and 65536.
      const head = '{"time":1403481600,"value":1,"note":"';
      const pad = 'x'.repeat(65535 - Buffer.byteLength(head));
      const body = `${head}${pad}é"}\n{"time":1403481700,"value":2}\n`;
      expect(Buffer.from(body).subarray(65535, 65537))
        .toEqual(Buffer.from('é'));

      const answer = await api.post(await openJob(), body);
      // 3 leaves − 1, then 2 − 1; both processed.
      expect(answer.json).toMatchObject({ processed_record_count: 2,
        input_field_count: 3, input_bytes: Buffer.byteLength(body) });
    });
});

/** Gzip with a full flush at each offset: the same bytes, new framing. */
async function gzipWithFlushes(
  body: Buffer, offsets: number[],
): Promise<Uint8Array> {
  const gzip = createGzip();
  const out: Buffer[] = [];
  gzip.on('data', (piece: Buffer) => out.push(piece));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  let from = 0;
  for (const at of [...new Set(offsets)].sort((a, b) => a - b)) {
    gzip.write(body.subarray(from, at));
    await new Promise<void>((resolve) =>
      gzip.flush(constants.Z_FULL_FLUSH, () => resolve()));
    from = at;
  }
  gzip.end(body.subarray(from));
  await done;
  return new Uint8Array(Buffer.concat(out));
}
