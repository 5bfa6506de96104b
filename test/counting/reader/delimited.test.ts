import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createDelimitedRecordReader,
} from '../../../lib/counting/delimitedReader.js';
import type { ReaderCheckpoint } from '../../../lib/counting/types.js';
import {
  CHUNK_SIZES, type MakeReader, bytesOf, collectingSink, failureOf, readAll,
  roomyLimits,
} from './support.js';

const csv = (fields: string[], delimiter = ','): MakeReader => (sink) =>
  createDelimitedRecordReader(fields, sink, {
    limits: roomyLimits, fieldDelimiter: delimiter, quoteCharacter: '"',
  });

const timeValue = csv(['time', 'value']);

const rowsOf = (make: MakeReader, body: string | Uint8Array, size?: number) =>
  readAll(make, body, size).map((r) => [r.leafCount, r.values]);

describe('the delimited record reader', () => {
  it('reads CSV1 as two rows of a three-column header', () => {
    for (const size of CHUNK_SIZES) {
      expect(rowsOf(timeValue, 'time,metric,value\n1,foo,1.0\n2,bar,2.0\n',
        size)).toEqual([[3, ['1', '1.0']], [3, ['2', '2.0']]]);
    }
  });

  it('reads CSV6 rows, a NUL inside a value and a short last line', () => {
    // The "\0" line of CSV5/CSV6 is a one-column row: time and value are
    // absent from it.
    const body = 'metric,value,time\nfoo,4.0,1\n\0foo,5.0,2\nfoo,3.0,3\n'
      + 'bar,4.0,4\n\0';
    for (const size of CHUNK_SIZES) {
      expect(rowsOf(timeValue, body, size)).toEqual([
        [3, ['1', '4.0']], [3, ['2', '5.0']], [3, ['3', '3.0']],
        [3, ['4', '4.0']], [3, [undefined, undefined]],
      ]);
    }
  });

  it('gives no records for an empty body (CSV7) or a header alone', () => {
    expect(rowsOf(timeValue, '')).toEqual([]);
    expect(rowsOf(timeValue, 'time,value\n')).toEqual([]);
  });

  it('fails when an input field is not in the header', () => {
    const error = failureOf(csv(['time', 'value', 'airline']),
      'time,value,other\n1,2,3\n');
    expect(error?.status).toBe(400);
    expect(error?.type).toBe('illegal_argument_exception');
    expect(error?.message).toBe("Field configured for analysis 'airline' is "
      + "not in the CSV header '[time, value, other]'");
  });

  it('checks the time field like any other input field', () => {
    const error = failureOf(csv(['time', 'value']), 'value\n1\n');
    expect(error?.message).toBe("Field configured for analysis 'time' is "
      + "not in the CSV header '[value]'");
  });

  it('does not look for mlcategory in the header', () => {
    expect(rowsOf(csv(['time', 'mlcategory']), 'time\n5\n'))
      .toEqual([[1, ['5', undefined]]]);
  });

  it('reads quoted delimiters, doubled quotes and line breaks', () => {
    const body = 'time,value\r\n1,"a,b"\r\n2,"say ""hi"""\r\n'
      + '3,"two\r\nlines"\r4,x"y,z"w\n';
    for (const size of CHUNK_SIZES) {
      expect(rowsOf(timeValue, body, size)).toEqual([
        [2, ['1', 'a,b']], [2, ['2', 'say "hi"']], [2, ['3', 'two\nlines']],
        [2, ['4', 'xy,zw']],
      ]);
    }
  });

  it('skips empty lines and keeps empty columns as empty values', () => {
    expect(rowsOf(timeValue, 'time,value\n\n\r\n1,\n,2\n')).toEqual([
      [2, ['1', '']], [2, ['', '2']],
    ]);
  });

  it('uses the configured delimiter and keeps multi-byte text', () => {
    expect(rowsOf(csv(['time', 'city'], '\t'), 'time\tcity\n1\tZürich\n', 1))
      .toEqual([[2, ['1', 'Zürich']]]);
  });

  it('fails on a quoted value open at the end of line 10001 (CSV8)', () => {
    // Quote opens on line 2; lines 3..10001 hold "y": at the end of line
    // 10001 the value spans 10001 - 2 + 1 = 10,000 lines.
    const open = `time,value\n1,"x\n${'y\n'.repeat(9999)}z\n`;
    const error = failureOf(timeValue, open, 4096);
    expect(error?.message).toBe('max number of lines to read exceeded while '
      + 'reading quoted column beginning on line 2 and ending on line 10001');
  });

  it('accepts a quoted value that closes on line 10001', () => {
    const closed = `time,value\n1,"x\n${'y\n'.repeat(9998)}y"\n2,z\n`;
    const read = readAll(timeValue, closed, 4096);
    expect(read.map((r) => r.values[0])).toEqual(['1', '2']);
  });

  it('fails on a quoted value still open at the end of input', () => {
    const error = failureOf(timeValue, 'time,value\n1,"x\ny\n');
    expect(error?.message).toBe('unexpected end of file while reading quoted '
      + 'column beginning on line 2 and ending on line 3');
  });

  it('reads 86,275 rows of farequote.csv under a header line', () => {
    const file = readFileSync(new URL('../../../../shared/data/farequote.csv',
      import.meta.url));
    const header = bytesOf('time,airline,responsetime,sourcetype\r\n');
    const body = new Uint8Array(header.length + file.length);
    body.set(header);
    body.set(file, header.length);
    const make = csv(['time', 'airline', 'responsetime']);
    const read = readAll(make, body, 65_536);
    expect(read).toHaveLength(86_275);
    expect(read.every((r) => r.leafCount === 4)).toBe(true);
    // First and last rows of the file (see shared/data/README.md).
    expect(read[0].values)
      .toEqual(['2015-12-07T00:00:00+0000', 'AAL', '132.2046']);
    expect(read[86_274].values[1]).toBe('AWE');
    expect(read[86_274].values[2]).toBe('1111119.6438');
  });

  it('gives the same rows when resumed at every checkpoint', () => {
    const body = bytesOf('time,value\n1,"a\nb"\n\n2,x\r\n3,y\r4,z');
    const whole = rowsOf(timeValue, body);
    for (let size = 1; size <= 6; size += 1) {
      const { sink, records } = collectingSink();
      let reader = timeValue(sink);
      for (let at = 0; at < body.length; at += size) {
        reader.write(body.slice(at, at + size));
        const checkpoint = JSON.parse(JSON.stringify(reader.checkpoint())) as
          ReaderCheckpoint;
        reader = createDelimitedRecordReader(['time', 'value'], sink, {
          limits: roomyLimits, fieldDelimiter: ',', quoteCharacter: '"',
          resume: checkpoint,
        });
        reader.write(body.slice(checkpoint.offset, at + size));
      }
      reader.end();
      expect(records.map((r) => [r.leafCount, r.values])).toEqual(whole);
    }
  });
});
