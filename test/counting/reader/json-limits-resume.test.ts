import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountingError } from '../../../lib/counting/errors.js';
import { createJsonRecordReader } from '../../../lib/counting/recordReader.js';
import type { ReaderCheckpoint } from '../../../lib/counting/types.js';
import {
  type MakeReader, type ReadRecord, bytesOf, collectingSink, failureOf,
  readAll, roomyLimits,
} from './support.js';

const limited = (limits: Partial<typeof roomyLimits>): MakeReader =>
  (sink) => createJsonRecordReader(['a'], sink, {
    limits: { ...roomyLimits, ...limits },
  });

describe('the JSON record reader under limits', () => {
  it('fails on 100,000 nested brackets without a stack overflow', () => {
    for (const open of ['[', '{"a":']) {
      const error = failureOf(limited({ maxDepth: 1000 }),
        open.repeat(100_000), 4096);
      expect(error?.status).toBe(400);
      expect(error?.message).toContain('1000');
      expect(error?.message).toContain('ML_MAX_DEPTH');
    }
  });

  it('fails on a record larger than maxRecordBytes', () => {
    const body = `{"a":"${'x'.repeat(2000)}"}`;
    for (const size of [undefined, 1, 64]) {
      const error = failureOf(limited({ maxRecordBytes: 1000 }), body, size);
      expect(error?.message).toContain('1000');
      expect(error?.message).toContain('ML_MAX_RECORD_BYTES');
    }
  });

  it('accepts many records each under maxRecordBytes', () => {
    // 50 records of 9 bytes: 450 bytes in all, each far under 100.
    const body = '{"a":12}\n'.repeat(50);
    expect(readAll(limited({ maxRecordBytes: 100 }), body, 64)).toHaveLength(50);
  });

  it('fails on a record with more than maxFieldsPerRecord leaves', () => {
    const fields = Array.from({ length: 11 }, (_, i) => `"f${i}":${i}`);
    const body = `{${fields.join(',')}}`;
    const error = failureOf(limited({ maxFieldsPerRecord: 10 }), body);
    expect(error?.message).toContain('ML_MAX_FIELDS');
    expect(readAll(limited({ maxFieldsPerRecord: 11 }), body)).toHaveLength(1);
  });
});

/** Reads `body`, restarting a fresh reader at every checkpoint. */
function readResuming(
  fields: string[], body: Uint8Array, chunkSize: number,
): ReadRecord[] {
  const { sink, records } = collectingSink();
  const limits = roomyLimits;
  let checkpoint: ReaderCheckpoint | undefined;
  let reader = createJsonRecordReader(fields, sink, { limits });
  for (let at = 0; at < body.length; at += chunkSize) {
    reader.write(body.slice(at, at + chunkSize));
    const next = reader.checkpoint();
    expect(next.offset).toBe(reader.committedOffset);
    if (checkpoint && next.offset === checkpoint.offset) continue;
    checkpoint = JSON.parse(JSON.stringify(next)) as ReaderCheckpoint;
    reader = createJsonRecordReader(fields, sink, {
      limits, resume: checkpoint,
    });
    reader.write(body.slice(checkpoint.offset, at + chunkSize));
  }
  reader.end();
  return records;
}

const record = fc.dictionary(
  fc.constantFrom('a', 'b', 'c', 'a.b', 'é'),
  fc.oneof(fc.integer().map(String), fc.string().map((s) => JSON.stringify(s)),
    fc.constant('null'), fc.constant('[1,"x",[2]]'),
    fc.constant('{"b":true}')),
).map((o) => `{${Object.entries(o).map(([k, v]) =>
  `${JSON.stringify(k)}:${v}`).join(',')}}`);
const body = fc.array(record, { maxLength: 12 }).map((lines) =>
  bytesOf(lines.join('\n')));
const fields = ['a', 'b', 'c', 'a.b', 'é'];
const whole = (bytes: Uint8Array) => readAll((sink) =>
  createJsonRecordReader(fields, sink, { limits: roomyLimits }), bytes);

describe('the JSON record reader resumed from a checkpoint', () => {
  it.each([
    ['inside a top-level array', '[{"a":1},{"a":2} , {"b":3}]'],
    ['after recovering from a missing brace (X5)',
      '"a":10, "b":20}\n{"b":21, "a":11}\n{"b":22, "a":12}\n{"a":13}'],
    ['between ignored top-level scalars', '1 2 "x" {"a":1} 3 [4] {"a":2}'],
  ])('gives the same records %s', (_, text) => {
    const bytes = bytesOf(text);
    for (let size = 1; size <= 8; size += 1) {
      expect(readResuming(['a', 'b'], bytes, size))
        .toEqual(readAll((sink) => createJsonRecordReader(['a', 'b'], sink,
          { limits: roomyLimits }), bytes));
    }
  });

  it.each([
    ['two lines', '{"a":1}\n{"a":2}'],
    ['spaced records and an array value', ' {"a":1} , {"a"  :2 }\n{"a":[1,2]}'],
    ['a top-level array', '[{"a":1},{"a":2}]'],
    ['garbage to recover from', '{"a":1}\n{"a":2 x {"a":3}\n{"a":"x\\ny"}'],
  ])('started at an offset without a state reads %s as from 0', (_, text) => {
    // As if the first 100 bytes of the input were elsewhere.
    const bytes = bytesOf(text);
    const fromZero = readAll((sink) => createJsonRecordReader(['a'], sink,
      { limits: roomyLimits }), bytes);
    for (let size = 1; size <= 8; size += 1) {
      const { sink, records } = collectingSink();
      const reader = createJsonRecordReader(['a'], sink, {
        limits: roomyLimits, resume: { offset: 100, state: null } });
      for (let at = 0; at < bytes.length; at += size) {
        reader.write(bytes.slice(at, at + size));
      }
      reader.end();
      expect(records).toEqual(fromZero);
    }
  });

  it('carries the error count of the upload across a resume', () => {
    // In `{"a":1i, "b"2i, "c":3i}` the missing colon consumes the "2", and
    // recovery then counts one error for each further digit of i: one for
    // i < 10, two for 10 <= i < 100. 50 documents: 10 + 80 = 90 errors,
    // under the limit of 100; 60 documents: 10 + 100 = 110, over it.
    const doc = (i: number) => `{"a":1${i}, "b"2${i}, "c":3${i}}\n`;
    const docs = (n: number) =>
      bytesOf(Array.from({ length: n }, (_, i) => doc(i)).join(''));
    expect(readResuming(['a'], docs(50), 5)).toHaveLength(50);
    expect(() => readResuming(['a'], docs(60), 5)).toThrow(CountingError);
  });
});

describe('the JSON record reader as a property', () => {
  it('gives the same records for any chunking of a valid body', () => {
    fc.assert(fc.property(body, fc.integer({ min: 1, max: 40 }),
      (bytes, size) => {
        const read = readAll((sink) => createJsonRecordReader(fields, sink,
          { limits: roomyLimits }), bytes, size);
        expect(read).toEqual(whole(bytes));
      }), { numRuns: 200 });
  });

  it('gives the same records when resumed at every checkpoint', () => {
    fc.assert(fc.property(body, fc.integer({ min: 1, max: 40 }),
      (bytes, size) => {
        expect(readResuming(fields, bytes, size)).toEqual(whole(bytes));
      }), { numRuns: 200 });
  });

  it('gives records or a CountingError for any bytes, never a hang', () => {
    const noise = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.array(fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '1', 'a',
        ' ', '\\', '/', '*', 't', 'é', '\u0002'), { maxLength: 120 })
        .map((parts) => bytesOf(parts.join(''))),
    );
    fc.assert(fc.property(noise, fc.integer({ min: 1, max: 16 }),
      (bytes, size) => {
        const make: MakeReader = (sink) => createJsonRecordReader(fields,
          sink, { limits: roomyLimits });
        let first: unknown;
        let second: unknown;
        try { first = readAll(make, bytes); } catch (e) { first = e; }
        try { second = readAll(make, bytes, size); } catch (e) { second = e; }
        if (first instanceof Error) {
          expect(first).toBeInstanceOf(CountingError);
          expect(second).toBeInstanceOf(CountingError);
        } else {
          expect(second).toEqual(first);
        }
      }), { numRuns: 1000 });
  });
});
