import { describe, expect, it } from 'vitest';
import { createJsonRecordReader } from '../../../lib/counting/recordReader.js';
import {
  CHUNK_SIZES, type MakeReader, failureOf, readAll, roomyLimits,
} from './support.js';

const reader = (fields: string[]): MakeReader => (sink) =>
  createJsonRecordReader(fields, sink, { limits: roomyLimits });

const abc = reader(['a', 'b', 'c']);
const timeValue = reader(['time', 'value']);

// Each case of spec §10.8 (X) and §10.7 (J) with the records it gives.
const cases: Array<{
  name: string;
  make: MakeReader;
  body: string;
  records: Array<[number, (string | undefined)[]]>;
}> = [
  {
    name: 'X1 reads two flat documents',
    make: abc,
    body: '{"a":10, "b":20, "c":30}\n{"b":21, "a":11, "c":31}\n',
    records: [[3, ['10', '20', '30']], [3, ['11', '21', '31']]],
  },
  {
    name: 'X2 flattens a nested object into dotted names',
    make: reader(['a', 'b', 'c.e']),
    body: '{"a":10, "b":20, "c":{"d":30, "e":40}}',
    records: [[4, ['10', '20', '40']]],
  },
  {
    name: 'X3 reads one-element arrays as their element',
    make: reader(['a', 'b', 'c.e']),
    body: '{"a":[10], "b":20, "c":{"d":30, "e":[40]}}',
    records: [[4, ['10', '20', '40']]],
  },
  {
    name: 'X4 joins array elements with commas and counts arrays once',
    make: reader(['a', 'g', 'c.e']),
    body: '{"a":[10,11],"b":20,"c":{"d":30,"e":[40,50]},'
      + '"f":["a","a","a","a"],"g":20}',
    records: [[6, ['10,11', '20', '40,50']]],
  },
  {
    name: 'X5 loses the middle document after a missing opening brace',
    make: abc,
    body: '"a":10, "b":20, "c":30}\n{"b":21, "a":11, "c":31}\n'
      + '{"c":32, "b":22, "a":12}',
    records: [[0, [undefined, undefined, undefined]],
      [3, ['12', '22', '32']]],
  },
  {
    name: 'X6 keeps the fields read before a nested syntax error',
    make: abc,
    body: '{"a":10, "b":20, "c":30}\n'
      + '{"b":21, "d" : {"ee": 1 "ff":0}, "a":11, "c":31}',
    records: [[3, ['10', '20', '30']], [2, [undefined, '21', undefined]]],
  },
  {
    // The first record stops at the control character: "a" was read.
    name: 'X8 recovers from a control character in a field name',
    make: abc,
    body: '{"a":10, "\u0002" : 5, "b":20, "c":30}\n'
      + '{"b":21, "a":11, "c":31}\n{"c":32, "b":22, "a":12}\n',
    records: [[1, ['10', undefined, undefined]], [3, ['11', '21', '31']],
      [3, ['12', '22', '32']]],
  },
  {
    name: 'J6 keeps the time of an object that lacks a comma',
    make: timeValue,
    body: '{"time":"1", "value":"1.0"}{"time":"2" "value":"2.0"}'
      + '{"time":"3", "value":"3.0"}',
    records: [[2, ['1', '1.0']], [1, ['2', undefined]], [2, ['3', '3.0']]],
  },
  {
    name: 'J7 keeps a nested value read before a syntax error',
    make: reader(['time', 'nested.value']),
    body: '{"time":"1", "nested":{"value":"1.0"}}'
      + '{"time":"2", "nested":{"value":"2.0"} "foo":"bar"}'
      + '{"time":"3", "nested":{"value":"3.0"}}',
    records: [[2, ['1', '1.0']], [2, ['2', '2.0']], [2, ['3', '3.0']]],
  },
  {
    name: 'J9 reads arrays, empty ones as an empty value',
    make: reader(['time', 'value', 'array']),
    body: '{"time":"1", "array":["foo", "bar"], "value":"1.0"}'
      + '{"time":"2", "array":[], "value":"2.0"}',
    records: [[3, ['1', '1.0', 'foo,bar']], [3, ['2', '2.0', '']]],
  },
  {
    name: 'J10 reads an empty object as a record with no fields',
    make: timeValue,
    body: '{"time":"1", "f1":"foo", "value":"1.0"}{"time":"2", "value":"2.0"}'
      + '{"time":"3", "f1":"bar"}{}{"time":"4", "value":"3.0"}',
    records: [[3, ['1', '1.0']], [2, ['2', '2.0']], [2, ['3', undefined]],
      [0, [undefined, undefined]], [2, ['4', '3.0']]],
  },
];

describe('the JSON record reader on the cases of the original', () => {
  for (const { name, make, body, records } of cases) {
    for (const size of CHUNK_SIZES) {
      it(`${name} (chunks of ${size ?? 'all'} bytes)`, () => {
        const read = readAll(make, body, size);
        expect(read.map((r) => [r.leafCount, r.values])).toEqual(records);
      });
    }
  }

  for (const size of CHUNK_SIZES) {
    it(`J8 fails a body that ends inside a field name (${size ?? 'all'})`,
      () => {
        const body = '{"time":"1", "value":"2.0"}{"time';
        const error = failureOf(reader(['time']), body, size);
        expect(error?.status).toBe(400);
        expect(error?.type).toBe('parse_exception');
        expect(error?.message).toBe('The input JSON data is malformed.');
      });

    it(`X7 fails after 100 errors from missing colons (${size ?? 'all'})`,
      () => {
        let body = '';
        for (let i = 0; i < 100; i += 1) {
          body += `{"a":1${i}, "b"2${i}, "c":3${i}}\n`;
        }
        const error = failureOf(abc, body, size);
        expect(error?.message).toBe('The input JSON data is malformed.');
      });
  }
});
