import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CliError } from '../../lib/cli/cliErrors.js';
import {
  PartSplitter, type Part, type SplitterOptions,
} from '../../lib/cli/partSplitter.js';

/** Feeds `input` in chunks of `chunkBytes` and collects every part. */
function split(
  input: string, options: Partial<SplitterOptions>, chunkBytes = Infinity,
): Part[] {
  const splitter = new PartSplitter({
    maxBytes: 100, format: { kind: 'json' }, startOffset: 0, ...options,
  });
  const bytes = Buffer.from(input);
  const parts: Part[] = [];
  for (let at = 0; at < bytes.length; at += chunkBytes) {
    parts.push(...splitter.push(bytes.subarray(at, at + chunkBytes)));
  }
  parts.push(...splitter.end());
  return parts;
}

const summary = (parts: Part[]) => parts.map((part) => ({
  start: part.start, end: part.end, records: part.records,
  body: part.body.toString(),
}));

const CHUNK_SIZES = [1, 3, 7, Infinity];

describe('splitting NDJSON', () => {
  // Five lines of 8 bytes: cuts can fall at 8, 16, 24, 32 and 40. With
  // 20 bytes, 18 are left once 2 are kept for brackets, so two lines fit.
  const line = '{"a":1}\n';
  const input = line.repeat(5);

  test.each(CHUNK_SIZES)('cuts after the newline that ends a record '
    + '(chunks of %s bytes)', (chunkBytes) => {
    const parts = split(input, { maxBytes: 20 }, chunkBytes);

    expect(summary(parts)).toEqual([
      { start: 0, end: 16, records: 2, body: line.repeat(2) },
      { start: 16, end: 32, records: 2, body: line.repeat(2) },
      { start: 32, end: 40, records: 1, body: line },
    ]);
  });

  test('sends a file that fits in one upload exactly as it is', () => {
    const parts = split(`  ${input}\n\n`, { maxBytes: 100 });

    expect(summary(parts)).toEqual([
      { start: 0, end: 44, records: 5, body: `  ${input}\n\n` },
    ]);
  });

  test('never cuts inside a string that looks like a record end', () => {
    // The first record holds a real newline in its string (12 bytes with
    // the line's newline), the second an escaped one (13 bytes).
    const record = '{"a":"}\\n{"}\n';
    const tricky = '{"a":"}\n{"}\n';
    const parts = split(tricky + record, { maxBytes: 16 }, 3);

    expect(summary(parts)).toEqual([
      { start: 0, end: 12, records: 1, body: tricky },
      { start: 12, end: 25, records: 1, body: record },
    ]);
  });

  test('cuts right after a record when the next one follows directly', () => {
    const parts = split('{"a":1}{"a":2}', { maxBytes: 10 });

    expect(summary(parts)).toEqual([
      { start: 0, end: 7, records: 1, body: '{"a":1}' },
      { start: 7, end: 14, records: 1, body: '{"a":2}' },
    ]);
  });

  test('refuses a record larger than the limit', () => {
    expect(() => split('{"a":"0123456789"}\n', { maxBytes: 10 }))
      .toThrow(CliError);
    expect(() => split('{"a":"0123456789"}\n', { maxBytes: 10 }))
      .toThrow('the record at byte 0 does not fit in one upload of '
        + '--max-bytes 10');
  });

  test('keeps every byte, in order, whatever the limit', () => {
    const records = fc.array(fc.record({
      a: fc.string(), b: fc.integer(),
    }), { minLength: 1, maxLength: 30 });
    fc.assert(fc.property(records, fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 50 }), (values, chunk, slack) => {
        const lines = values.map((value) => `${JSON.stringify(value)}\n`);
        const longest = Math.max(...lines.map((l) => Buffer.byteLength(l)));
        const text = lines.join('');

        const parts = split(text, { maxBytes: longest + 2 + slack }, chunk);

        expect(Buffer.concat(parts.map((p) => p.body)).toString())
          .toBe(text);
        expect(parts.reduce((sum, p) => sum + p.records, 0))
          .toBe(values.length);
        for (const part of parts) {
          expect(part.body.length).toBeLessThanOrEqual(longest + 2 + slack);
        }
      }));
  });
});

describe('splitting a top-level array', () => {
  // Offsets: `[` 0; first record 4-10 then `,` 11; second 15-21, `,` 22;
  // third 26-32, newline 33; `]` 34; newline 35; 36 bytes in all.
  const input = '[\n  {"a":1},\n  {"a":2},\n  {"a":3}\n]\n';

  test.each(CHUNK_SIZES)('sends each part as an array of its own '
    + 'records (chunks of %s bytes)', (chunkBytes) => {
    // 13 bytes leave 11 for input: one record and its neighbours.
    const parts = split(input, { maxBytes: 13 }, chunkBytes);

    expect(summary(parts)).toEqual([
      { start: 0, end: 11, records: 1, body: '[{"a":1}]' },
      { start: 11, end: 22, records: 1, body: '[{"a":2}]' },
      { start: 22, end: 33, records: 1, body: '[{"a":3}]' },
    ]);
  });

  test('resumes in the middle of the array', () => {
    const parts = split(input.slice(11), { maxBytes: 13, startOffset: 11 });

    expect(summary(parts)).toEqual([
      { start: 11, end: 22, records: 1, body: '[{"a":2}]' },
      { start: 22, end: 33, records: 1, body: '[{"a":3}]' },
    ]);
  });
});

describe('splitting CSV', () => {
  // Header 13 bytes, rows 6 bytes: row ends at 19, 25, 31 and 37.
  const header = 'time,airline\n';
  const row = '1,AAL\n';
  const csv = { kind: 'csv', quote: '"' } as const;

  test.each(CHUNK_SIZES)('repeats the header at the start of every '
    + 'part (chunks of %s bytes)', (chunkBytes) => {
    const parts = split(header + row.repeat(4),
      { maxBytes: 25, format: csv }, chunkBytes);

    expect(summary(parts)).toEqual([
      { start: 0, end: 25, records: 2, body: header + row + row },
      { start: 25, end: 37, records: 2, body: header + row + row },
    ]);
  });

  test('never cuts inside a quoted value that spans lines', () => {
    // The quoted row is 10 bytes and ends at 23.
    const quoted = '2,"A\nB\nC"\n';
    const parts = split(header + quoted + row,
      { maxBytes: 25, format: csv }, 2);

    expect(summary(parts)).toEqual([
      { start: 0, end: 23, records: 1, body: header + quoted },
      { start: 23, end: 29, records: 1, body: header + row },
    ]);
  });

  test('resumes past the header with the header given', () => {
    const parts = split(row.repeat(2), {
      maxBytes: 25, format: csv, startOffset: 25,
      header: Buffer.from(header),
    });

    expect(summary(parts)).toEqual([
      { start: 25, end: 37, records: 2, body: header + row + row },
    ]);
  });
});
