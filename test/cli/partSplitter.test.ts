import { describe, expect, test } from 'vitest';
import { CliError } from '../../lib/cli/cliErrors.js';
import { FramingError } from '../../lib/cli/partSplitter.js';
import { split, summary, CSV } from './splitHarness.js';

const CHUNK_SIZES = [1, 3, 7, Infinity];

describe('splitting NDJSON', () => {
  // Five lines of 8 bytes: cuts can fall at 8, 16, 24, 32 and 40. With
  // 20 bytes, 19 are read for a cut (one is kept for a bracket), so two
  // lines fit.
  const line = '{"a":1}\n';
  const input = line.repeat(5);

  test.each(CHUNK_SIZES)('cuts after the newline that ends a record '
    + '(chunks of %s bytes)', (chunkBytes) => {
    const parts = split(input, { maxBytes: 20 }, chunkBytes);

    expect(summary(parts)).toEqual([
      { start: 0, end: 16, body: line.repeat(2) },
      { start: 16, end: 32, body: line.repeat(2) },
      { start: 32, end: 40, body: line },
    ]);
  });

  test('sends a file that fits in one upload exactly as it is', () => {
    const parts = split(`  ${input}\n\n`, { maxBytes: 100 });

    expect(summary(parts)).toEqual([
      { start: 0, end: 44, body: `  ${input}\n\n` },
    ]);
  });

  test.each(CHUNK_SIZES)('never cuts inside a string that holds braces, '
    + 'quotes and escapes (chunks of %s bytes)', (chunkBytes) => {
    // {"a":"}\"{"} is 12 bytes, 13 with its newline: 26 in all. 15 bytes
    // are read for a cut, so one record fits.
    const record = '{"a":"}\\"{"}\n';
    const parts = split(record.repeat(2), { maxBytes: 16 }, chunkBytes);

    expect(summary(parts)).toEqual([
      { start: 0, end: 13, body: record },
      { start: 13, end: 26, body: record },
    ]);
  });

  test.each(CHUNK_SIZES)('never cuts at a brace inside a comment (chunks '
    + 'of %s bytes)', (chunkBytes) => {
    // {"a":1 /* } */} is 15 bytes, 16 with its newline. The brace in the
    // comment is at offset 11: a cut there would end the record early.
    const first = '{"a":1 /* } */}\n';
    const second = '{"a":2 // }\n}\n';
    const parts = split(first + second, { maxBytes: 20 }, chunkBytes);

    expect(summary(parts)).toEqual([
      { start: 0, end: 16, body: first },
      { start: 16, end: 30, body: second },
    ]);
  });

  test('cuts right after a record when the next one follows directly', () => {
    const parts = split('{"a":1}{"a":2}', { maxBytes: 10 });

    expect(summary(parts)).toEqual([
      { start: 0, end: 7, body: '{"a":1}' },
      { start: 7, end: 14, body: '{"a":2}' },
    ]);
  });

  test('refuses a record larger than the limit', () => {
    const cut = () => split('{"a":"0123456789"}\n', { maxBytes: 10 });

    expect(cut).toThrow(FramingError);
    expect(cut).toThrow('no record boundary to cut at within the 10 bytes '
      + 'of an upload from byte 0');
  });

  test('refuses data the counting core cannot read', () => {
    // A line of farequote.csv, 46 bytes, read as JSON: the reader gives up
    // after 100 syntax errors (spec §1.6), within the 1,023 bytes read.
    const csv = '2015-12-07T00:00:00Z,AAL,132.2046,farequote\r\n'.repeat(30);

    expect(() => split(csv, { maxBytes: 1024 })).toThrow('the data from '
      + 'byte 0 on cannot be read: The input JSON data is malformed.');
  });
});

describe('splitting a top-level array', () => {
  // Offsets: `[` 0; first record 4-10 then `,` 11; second 15-21, `,` 22;
  // third 26-32, newline 33; `]` 34; newline 35; 36 bytes in all.
  const input = '[\n  {"a":1},\n  {"a":2},\n  {"a":3}\n]\n';

  test.each(CHUNK_SIZES)('sends each part as an array of its own '
    + 'records (chunks of %s bytes)', (chunkBytes) => {
    // 13 bytes: 12 are read for a cut, one is kept for the bracket. Each
    // comma becomes the next part's opening bracket; the last part takes
    // the array's own bracket, and the newline after it is left alone.
    const parts = split(input, { maxBytes: 13 }, chunkBytes);

    expect(summary(parts)).toEqual([
      { start: 0, end: 11, body: '[\n  {"a":1}]' },
      { start: 11, end: 22, body: '[\n  {"a":2}]' },
      { start: 22, end: 34, body: '[\n  {"a":3}\n]' },
    ]);
  });

  test('resumes in the middle of the array', () => {
    const parts = split(input, { maxBytes: 13, fromByte: 11 });

    expect(summary(parts)).toEqual([
      { start: 11, end: 22, body: '[\n  {"a":2}]' },
      { start: 22, end: 34, body: '[\n  {"a":3}\n]' },
    ]);
  });

  test('does not cut an array of arrays, whose parts would not close', () => {
    expect(() => split('[[{"a":1},{"a":2}]]', { maxBytes: 16 }))
      .toThrow(FramingError);
  });
});

describe('splitting CSV', () => {
  // Header 13 bytes, rows 6 bytes: row ends at 19, 25, 31 and 37.
  const header = 'time,airline\n';
  const row = '1,AAL\n';

  test.each(CHUNK_SIZES)('repeats the header at the start of every '
    + 'part (chunks of %s bytes)', (chunkBytes) => {
    const parts = split(header + row.repeat(4),
      { maxBytes: 25, format: CSV }, chunkBytes);

    expect(summary(parts)).toEqual([
      { start: 0, end: 25, body: header + row + row },
      { start: 25, end: 37, body: header + row + row },
    ]);
  });

  test.each(['\n', '\r\n', '\r'])('never cuts inside a quoted value that '
    + 'spans lines ended by %j', (end) => {
    // 10 bytes with LF or CR, 13 with CRLF; 28 bytes hold the header and
    // this row, not the last row too.
    const quoted = `2,"A${end}B${end}C"${end}`;
    const parts = split(header + quoted + row,
      { maxBytes: 28, format: CSV }, 2);

    expect(summary(parts)).toEqual([
      { start: 0, end: 13 + quoted.length, body: header + quoted },
      { start: 13 + quoted.length, end: 19 + quoted.length,
        body: header + row },
    ]);
  });

  test.each(CHUNK_SIZES)('cuts a file whose lines end in CR alone (chunks '
    + 'of %s bytes)', (chunkBytes) => {
    // Header and rows 4 bytes each: row ends at 8, 12, 16 and 20. A row
    // is known to end only when the byte after its CR is read, so 13
    // bytes hold the header and two rows.
    const input = 't,v\r1,a\r2,b\r3,c\r4,d\r';
    const parts = split(input, { maxBytes: 13, format: CSV }, chunkBytes);

    expect(summary(parts)).toEqual([
      { start: 0, end: 12, body: 't,v\r1,a\r2,b\r' },
      { start: 12, end: 20, body: 't,v\r3,c\r4,d\r' },
    ]);
  });

  test('resumes past the header with the header read from the input', () => {
    const parts = split(header + row.repeat(4), {
      maxBytes: 25, format: CSV, fromByte: 25,
    });

    expect(summary(parts)).toEqual([
      { start: 25, end: 37, body: header + row + row },
    ]);
  });

  test('does not send the empty lines after the last row as a part', () => {
    const parts = split(header + row.repeat(2) + '\r\n\r\n',
      { maxBytes: 25, format: CSV });

    expect(summary(parts)).toEqual([
      { start: 0, end: 25, body: header + row + row },
    ]);
  });
});

describe('resume offsets', () => {
  test('accepts the end of a row ended by CR alone', () => {
    const parts = split('t,v\r1,a\r2,b\r', { format: CSV, fromByte: 8 });

    expect(summary(parts)).toEqual([
      { start: 8, end: 12, body: 't,v\r2,b\r' },
    ]);
  });

  test.each([
    // Inside `1,a`, between CR and LF, inside a quoted value.
    ['t,v\r\n1,a\r\n', 7], ['t,v\r\n1,a\r\n', 9],
    ['t,v\n1,"a\nb"\n2,c\n', 9],
  ])('refuses an offset inside a row of %j (%i)', (input, fromByte) => {
    const cut = () => split(input, { format: CSV, fromByte });

    expect(cut).toThrow(CliError);
    expect(cut).toThrow(`--from-byte ${fromByte} is not a record boundary`);
  });

  test('refuses an offset inside a comment between records', () => {
    expect(() => split('{"a":1}/* x */{"a":2}', { fromByte: 10 }))
      .toThrow('--from-byte 10 is not a record boundary');
  });

  test('refuses an offset past the end', () => {
    expect(() => split('{"a":1}\n', { fromByte: 9 }))
      .toThrow('--from-byte 9 is past the end of the input (8 bytes)');
  });
});
