import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { inputRecordCount } from '../../lib/counting/dataCounts.js';
import { startUpload } from '../../lib/counting/session.js';
import type { DataCounts } from '../../lib/counting/types.js';
import { fqConfig, LIMITS, NOW, openedState, post } from './uploads.js';

// metric(value), span 1 h, latency 0. With a latency, a bucket finalised
// empty at the end of one upload may still receive a late record in the
// next (spec §7.4 flushes regardless of latency), so splitting would
// change the empty count; the property is stated for latency 0.
const config = fqConfig({ inputFields: ['time', 'value'] });

/** One NDJSON line: times wander around a start, mostly forwards. */
const line = fc.record({
  stepSec: fc.integer({ min: -5000, max: 8000 }),
  time: fc.constantFrom('number', 'string', 'invalid', 'absent'),
  value: fc.boolean(),
  extra: fc.nat({ max: 2 }),
});

type Line = { stepSec: number; time: string; value: boolean; extra: number };

function body(lines: Line[]): string[] {
  let t = 1403481600;
  return lines.map(({ stepSec, time, value, extra }) => {
    t += stepSec;
    const fields: string[] = [];
    if (time === 'number') fields.push(`"time":${t}`);
    if (time === 'string') fields.push(`"time":"${t}"`);
    if (time === 'invalid') fields.push('"time":"oops"');
    if (value) fields.push('"value":1.5');
    for (let i = 0; i < extra; i += 1) fields.push(`"x${i}":[1,2]`);
    return `{${fields.join(',')}}`;
  });
}

const lines = fc.array(line, { maxLength: 60 }).map(body);

/** Everything but sparse counts, which the window may judge differently. */
function comparable(counts: DataCounts) {
  const { sparseBucketCount, latestSparseBucketTimestamp, ...rest } = counts;
  return rest;
}

describe('invariants of the counting rules', () => {
  test('counts add up to the records read', () => {
    fc.assert(fc.property(lines, (records) => {
      const { counts } = post(config, openedState(config), records.join('\n'));
      expect(inputRecordCount(counts)).toBe(records.length);
      expect(counts.processedRecordCount + counts.invalidDateCount
        + counts.outOfOrderTimestampCount).toBe(records.length);
    }), { numRuns: 100 });
  });

  test('gives the same counts however the body is chunked', () => {
    fc.assert(fc.property(lines, fc.integer({ min: 1, max: 64 }),
      (records, chunkBytes) => {
        const text = records.join('\n');
        const whole = post(config, openedState(config), text);
        const chunked = post(config, openedState(config), text, chunkBytes);
        expect(chunked).toEqual(whole);
      }), { numRuns: 100 });
  });

  test('gives the same totals when one upload is split into several', () => {
    fc.assert(fc.property(lines, fc.array(fc.nat(), { maxLength: 5 }),
      (records, cuts) => {
        const whole = post(config, openedState(config), records.join('\n'));
        const at = [...new Set(cuts.map((c) => c % (records.length + 1)))]
          .sort((a, b) => a - b);
        let state = openedState(config);
        let from = 0;
        for (const to of [...at, records.length]) {
          const part = records.slice(from, to);
          const last = to === records.length;
          state = post(config, state,
            part.join('\n') + (last || part.length === 0 ? '' : '\n')).state;
          from = to;
        }
        expect(comparable(state.totals))
          .toEqual(comparable(whole.state.totals));
      }), { numRuns: 100 });
  });

  test('resumes from a checkpoint in a fresh process to the same result',
    () => {
      fc.assert(fc.property(lines, fc.nat(), (records, cut) => {
        const bytes = new TextEncoder().encode(records.join('\n'));
        const whole = post(config, openedState(config), bytes);

        const options = { now: () => NOW, limits: LIMITS };
        const first = startUpload(config, openedState(config), options);
        first.write(bytes.subarray(0, cut % (bytes.length + 1)));
        // What an S3 ingestion commits, as it would come back from storage.
        const saved = JSON.parse(JSON.stringify(first.checkpoint()));
        const second = startUpload(config, saved.state,
          { ...options, resume: saved.resume });
        second.write(bytes.subarray(saved.resume.offset));
        expect(second.end()).toEqual(whole);
      }), { numRuns: 100 });
    });
});
