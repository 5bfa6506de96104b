import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CSV, recordsIn, split } from './splitHarness.js';

// Whatever the records, the separators, the limit and where the chunk
// edges fall, the parts hold every record once, each part is an upload
// the server's reader takes alone, and none is over the limit.

/** Text that looks like JSON structure when a framer misreads strings. */
const tricky = fc.string({
  unit: fc.constantFrom('a', 'é', '{', '}', '[', ']', ',', '"', '\\', '/',
    '*', '\n', '\r'),
  maxLength: 6,
});
const scalar = fc.oneof(tricky.map((text) => JSON.stringify(text)),
  fc.integer().map(String), fc.constantFrom('true', 'null', '-1.5e3'));
/** What may stand between two tokens: blanks and comments with braces. */
const gap = fc.constantFrom('', ' ', '\n', '\r\n', '/* } */', '/*{*/',
  '// }\n', ' /* ] , */ ');
const field = fc.tuple(gap, scalar, gap, fc.boolean());

/** A record of up to four fields, one of them maybe an object. */
const record = fc.array(field, { maxLength: 4 }).map((fields) => '{'
  + fields.map(([before, value, after, nested], i) => {
    const inner = nested ? `{${before}"in":${value}${after}}` : value;
    return `${before}"k${i}"${after}:${before}${inner}${after}`;
  }).join(',') + '}');

const jsonInput = fc.record({
  records: fc.array(fc.tuple(record, gap), { minLength: 1, maxLength: 25 }),
  array: fc.boolean(),
  blanks: fc.constantFrom(' ', '\n', '\r\n', ''),
});

/** The records laid out at the root or in one array. */
function layOut(input: { records: [string, string][]; array: boolean;
  blanks: string; }): string {
  const { records, array, blanks } = input;
  if (!array) return records.map(([text, after]) => text + after).join('');
  // A comma may be followed by anything, but only blanks come before it:
  // where a comment does, the splitter does not cut.
  const last = records.length - 1;
  const elements = records.map(([text, after], i) => (i === last ? text
    : `${text}${blanks},${after}`));
  return `[${blanks}${elements.join('')}${blanks}]${blanks}`;
}

/** Room for the longest record with what surrounds it, twice over. */
function roomFor(items: string[]): number {
  return 2 * Math.max(...items.map((item) => Buffer.byteLength(item))) + 16;
}

describe('splitting JSON', () => {
  test('keeps every record once, each part readable alone and within the '
    + 'limit', () => {
    fc.assert(fc.property(jsonInput, fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 0, max: 200 }), (input, chunk, slack) => {
        const text = layOut(input);
        const maxBytes = roomFor(input.records.map(([r, g]) => r + g
          + input.blanks)) + slack;

        const parts = split(text, { maxBytes }, chunk);

        const counted = parts.reduce((sum, part) =>
          sum + recordsIn({ kind: 'json' }, part.body), 0);
        expect(counted).toBe(input.records.length);
        for (const part of parts) {
          expect(part.body.length).toBeLessThanOrEqual(maxBytes);
        }
        if (input.array) return;
        // At the root the parts are the file itself, in order.
        const joined = Buffer.concat(parts.map((part) => part.body));
        expect(joined.toString()).toBe(text.slice(0, joined.length));
        expect(text.slice(joined.length)).toMatch(/^\s*$/);
      }), { numRuns: 300 });
  });

  test('resumes at any part start with the same parts after it', () => {
    fc.assert(fc.property(jsonInput, fc.integer({ min: 1, max: 40 }),
      (input, chunk) => {
        const text = layOut(input);
        const maxBytes = roomFor(input.records.map(([r, g]) => r + g
          + input.blanks));
        const parts = split(text, { maxBytes }, chunk);

        for (const part of parts.slice(1)) {
          const resumed = split(text, { maxBytes, fromByte: part.start },
            chunk);
          const after = parts.slice(part.number - 1);
          expect(resumed.map((p) => p.body.toString()))
            .toEqual(after.map((p) => p.body.toString()));
        }
      }), { numRuns: 100 });
  });
});

/** A CSV value: plain, or quoted over line ends of every kind. */
const value = fc.oneof(
  fc.constantFrom('', 'a', 'AAL', '132.2046'),
  fc.string({ unit: fc.constantFrom('a', ',', '\n', '\r', '""', ' '),
    maxLength: 5 }).map((text) => `"${text}"`),
);
const lineEnd = fc.constantFrom('\n', '\r\n', '\r');
const row = fc.tuple(value, value, value, lineEnd)
  .map(([a, b, c, end]) => `${a},${b},${c}${end}`);

describe('splitting CSV', () => {
  test('keeps every row once, with the header in every part', () => {
    fc.assert(fc.property(fc.array(row, { minLength: 1, maxLength: 30 }),
      lineEnd, fc.integer({ min: 1, max: 40 }), fc.boolean(),
      (rows, headerEnd, chunk, lastEnded) => {
        const header = `time,airline,value${headerEnd}`;
        const body = rows.join('');
        // The last row may have no line end.
        const text = header + (lastEnded ? body : body.replace(/[\r\n]+$/, ''));
        const maxBytes = header.length + roomFor(rows);

        const parts = split(text, { maxBytes, format: CSV }, chunk);

        const counted = parts.reduce((sum, part) =>
          sum + recordsIn(CSV, part.body), 0);
        expect(counted).toBe(rows.length);
        for (const part of parts) {
          expect(part.body.subarray(0, header.length).toString())
            .toBe(header);
          expect(part.body.length).toBeLessThanOrEqual(maxBytes);
        }
      }), { numRuns: 300 });
  });
});
