import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createJsonRecordReader } from '../../../lib/counting/recordReader.js';
import {
  CHUNK_SIZES, type MakeReader, bytesOf, failureOf, readAll, roomyLimits,
} from './support.js';

const reader = (fields: string[]): MakeReader => (sink) =>
  createJsonRecordReader(fields, sink, { limits: roomyLimits });

const valuesOf = (make: MakeReader, body: Uint8Array | string,
  size?: number) => readAll(make, body, size).map((r) => r.values);

describe('the JSON record reader on the shapes of a body', () => {
  const shapes: Array<[string, string, string[], unknown[]]> = [
    ['reads a top-level array of objects as one record each',
      '[{"a":1},{"a":2}]', ['a'], [['1'], ['2']]],
    ['reads pretty-printed objects',
      '{\n  "a" : 1,\n  "b" : {\n    "c" : "x"\n  }\n}\n', ['a', 'b.c'],
      [['1', 'x']]],
    ['reads objects with nothing between them', '{"a":1}{"a":2}', ['a'],
      [['1'], ['2']]],
    ['reads CRLF-separated objects', '{"a":1}\r\n{"a":2}\r\n', ['a'],
      [['1'], ['2']]],
    ['skips a byte order mark at the start', '\ufeff{"a":1}', ['a'], [['1']]],
    ['reads a dotted key like the nested form', '{"a.b":1}{"a":{"b":2}}',
      ['a.b'], [['1'], ['2']]],
    ['captures null as an empty value', '{"a":null}', ['a'], [['']]],
    ['keeps numbers as written',
      '{"a":1.4034816E9,"b":-0.5,"c":0,"d":1e-7}', ['a', 'b', 'c', 'd'],
      [['1.4034816E9', '-0.5', '0', '1e-7']]],
    ['decodes escapes', '{"a":"\\u00e9\\n\\"\\/","b":"tab\\there"}',
      ['a', 'b'], [['é\n"/', 'tab\there']]],
    ['decodes multi-byte characters', '{"a":"日本語 ünïcödé 😀"}', ['a'],
      [['日本語 ünïcödé 😀']]],
    ['captures booleans', '{"a":true,"b":false}', ['a', 'b'],
      [['true', 'false']]],
    ['treats comments as whitespace',
      '/* lead */{"a"/*x*/:/*y*/1 // trailing\n}// end', ['a'], [['1']]],
    ['ignores top-level scalars', '1 "x" true {"a":1} null', ['a'], [['1']]],
    ['joins nested arrays only up to the first closing bracket',
      '{"a":[[1,2],3],"b":4}', ['a', 'b'], [['1,2', '4']]],
    ['captures the scalars of objects inside an array',
      '{"a":["x",{"y":1},null,2]}', ['a'], [['x,1,,2']]],
    ['gives no records for an empty body', '', ['a'], []],
    ['gives no records for whitespace', ' \n\r\n\t ', ['a'], []],
  ];

  for (const [title, body, fields, expected] of shapes) {
    it(title, () => {
      for (const size of CHUNK_SIZES) {
        expect(valuesOf(reader(fields), body, size)).toEqual(expected);
      }
    });
  }

  it('counts leaves at every depth, arrays and nulls once each', () => {
    // a, b, c.d, c.e.f, g: five leaves; h is an object, not a leaf.
    const body = '{"a":[1,2],"b":null,"c":{"d":1,"e":{"f":[]}},"g":"",'
      + '"h":{}}';
    expect(readAll(reader([]), body).map((r) => r.leafCount)).toEqual([5]);
  });

  it('treats a repeated key as a syntax error that ends the record', () => {
    // The second "a" fails; recovery skips to the end of the object.
    const body = '{"a":1,"b":2,"a":3,"c":4}{"c":5}';
    const read = readAll(reader(['a', 'b', 'c']), body);
    expect(read.map((r) => [r.leafCount, r.values])).toEqual([
      [2, ['1', '2', undefined]], [1, [undefined, undefined, '5']],
    ]);
  });

  it.each([
    ['a leading zero', '{"a":01}'],
    ['NaN', '{"a":NaN}'],
    ['a single-quoted string', "{'a':1}"],
    ['an unquoted name', '{a:1}'],
  ])('refuses %s and recovers at the end of the object', (_, bad) => {
    // The bad object gives a record with no fields; the next one is whole.
    const read = readAll(reader(['a']), `${bad}\n{"a":2}`);
    expect(read.map((r) => r.values)).toEqual([[undefined], ['2']]);
  });

  it('fails the upload on a control character in a captured string', () => {
    const error = failureOf(reader(['a']), '{"a":"x\u0001y"}');
    expect(error?.message).toBe('The input JSON data is malformed.');
  });

  it('skips a control character in a string that is not captured', () => {
    // The error ends the first record after its one counted leaf.
    const read = readAll(reader(['b']), '{"a":"x\u0001y","b":1}{"b":2}');
    expect(read.map((r) => [r.leafCount, r.values])).toEqual([
      [1, [undefined]], [1, ['2']],
    ]);
  });

  it('reads the same records when chunks cut characters and escapes', () => {
    const body = bytesOf('{"a":"é\\u00e9😀","b":1.5e3}\n{"a":"\\"x\\""}');
    const whole = valuesOf(reader(['a', 'b']), body);
    expect(whole).toEqual([['éé😀', '1.5e3'], ['"x"', undefined]]);
    for (let cut = 1; cut < body.length; cut += 1) {
      const got: unknown[] = [];
      const r = createJsonRecordReader(['a', 'b'], {
        record: (_n, v) => { got.push([...v]); },
      }, { limits: roomyLimits });
      r.write(body.slice(0, cut));
      r.write(body.slice(cut));
      r.end();
      expect(got).toEqual(whole);
    }
  });
});

describe('the JSON record reader on real data files', () => {
  const data = (name: string) =>
    new Uint8Array(readFileSync(new URL(`../../../../shared/data/${name}`,
      import.meta.url)));

  it('reads 514 records of 8 leaves from big_ascending.txt', () => {
    const body = data('big_ascending.txt');
    for (const size of [undefined, 7, 4096]) {
      const read = readAll(reader(['time', 'response']), body, size);
      expect(read).toHaveLength(514);
      expect(read.every((r) => r.leafCount === 8)).toBe(true);
      // First line of the file: response 404 at 17/May/2015:08:05:37.
      expect(read[0].values).toEqual(['17/May/2015:08:05:37 +0000', '404']);
    }
  });

  it('reads both records of incomplete_initial_bucket.txt', () => {
    const body = data('incomplete_initial_bucket.txt');
    for (const size of CHUNK_SIZES) {
      const read = readAll(reader(['time', 'status']), body, size);
      expect(read.map((r) => [r.leafCount, r.values])).toEqual([
        [4, ['1585698939', '200']], [4, ['1585698945', '404']],
      ]);
    }
  });
});
