import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createPatternParser } from '../../lib/counting/datePattern.js';
import {
  createTimeParser, isValidTimeFormat,
} from '../../lib/counting/timeParser.js';

const epoch = createTimeParser('epoch');
const epochMs = createTimeParser('epoch_ms');

describe('epoch and epoch_ms (spec §4.3)', () => {
  test('reads "1000" as seconds with epoch (T1)', () => {
    expect(epoch('1000')).toBe(1_000_000);
  });

  test('reads "1000" as milliseconds with epoch_ms (T2)', () => {
    expect(epochMs('1000')).toBe(1000);
  });

  test('refuses "invalid" (T3)', () => {
    expect(epoch('invalid')).toBeNull();
  });

  test('drops the fraction of seconds without rounding', () => {
    expect(epoch('1403481600.999')).toBe(1403481600000);
    expect(epoch('-1.5')).toBe(-1000);
  });

  test('accepts exponents, bare points and type suffixes', () => {
    expect(epoch('1.4034816E9')).toBe(1403481600000);
    expect(epoch('1403481600d')).toBe(1403481600000);
    expect(epoch('1403481600F')).toBe(1403481600000);
    expect(epochMs('.5')).toBe(0);
    expect(epochMs('5.')).toBe(5);
    expect(epochMs('+7e2')).toBe(700);
  });

  test('trims control characters and spaces at both ends', () => {
    expect(epochMs(' \t\n1000\u0001 ')).toBe(1000);
  });

  test('refuses what Java Double.valueOf refuses', () => {
    for (const text of ['', '   ', 'abc', '1,2', 'true', '12:00', '1e',
      '1e+', '.', '+', '1f5', '0x10', '12abc', '1_000', '\u00a01', 'nan',
      'infinity', 'NaNd', '1.2.3', 'e5']) {
      expect(epochMs(text), text).toBeNull();
    }
  });

  test('reads NaN as 0 and saturates infinities at the long range', () => {
    expect(epochMs('NaN')).toBe(0);
    expect(epochMs('-NaN')).toBe(0);
    // Long.MAX_VALUE = 2^63 - 1, nearest double 2^63.
    expect(epochMs('Infinity')).toBe(2 ** 63);
    expect(epochMs('-Infinity')).toBe(-(2 ** 63));
  });

  test('reads hexadecimal floats with a binary exponent', () => {
    // 0x1.0p3 = 1 x 2^3 = 8; 0x1.8p1 = 1.5 x 2 = 3; 0xAp-1 = 10 / 2 = 5.
    expect(epochMs('0x1.0p3')).toBe(8);
    expect(epochMs('0x1.8p1')).toBe(3);
    expect(epochMs('-0XAP-1d')).toBe(-5);
    expect(epoch('0x1p3')).toBe(8000);
    expect(epochMs('0x1.0')).toBeNull();
    expect(epochMs('0xp3')).toBeNull();
  });

  test('wraps seconds times 1000 like a Java long beyond its range', () => {
    // 2^62 s x 1000 = 2^62 x 1000 mod 2^64 as signed: 1000 = 0b1111101000,
    // 2^62 x 1000 = 2^65 x 125; 2^65 x 125 mod 2^64 = 0.
    expect(epoch('4611686018427387904')).toBe(0);
    // (2^63 - 1) x 1000 mod 2^64 = -1000 (since 2^63 x 1000 wraps to 0).
    expect(epoch('Infinity')).toBe(-1000);
  });
});

describe('date patterns (spec §4.4)', () => {
  test('reads an ISO offset Z with yyyy-MM-dd HH:mm:ssXXX (T4)', () => {
    const parse = createTimeParser('yyyy-MM-dd HH:mm:ssXXX');
    expect(parse('2014-01-01 00:00:00Z')).toBe(1388534400000);
  });

  test('refuses text that does not match the pattern (T5)', () => {
    const parse = createTimeParser('yyyy-MM-dd HH:mm:ssXXX');
    expect(parse('invalid')).toBeNull();
    expect(parse('2014-01-01 00:00:00Z trailing')).toBeNull();
  });

  test('reads the farequote time format with a +0000 offset', () => {
    const parse = createTimeParser("yyyy-MM-dd'T'HH:mm:ssZ");
    // 2015-12-07 is 16776 days after 1970-01-01: 16776 x 86400 = 1449446400.
    expect(parse('2015-12-07T00:00:00+0000')).toBe(1449446400000);
    expect(parse('2015-12-07T01:00:00+0100')).toBe(1449446400000);
  });

  test('reads English month names with dd/MMM/yyyy:HH:mm:ss Z', () => {
    const parse = createTimeParser('dd/MMM/yyyy:HH:mm:ss Z');
    // 2015-05-17 = day 16572; x 86400 = 1431820800; + 8:05:37 = 29137 s.
    expect(parse('17/May/2015:08:05:37 +0000')).toBe(1431849937000);
    expect(parse('17/Mai/2015:08:05:37 +0000')).toBeNull();
  });

  test('reads a local date-time without zone as UTC', () => {
    const parse = createTimeParser('yyyy-MM-dd HH:mm:ss.SSS');
    // 2014-01-01 = 1388534400 s; + 1 h 2 min 3.456 s.
    expect(parse('2014-01-01 01:02:03.456')).toBe(1388534400000 + 3723456);
  });

  test('takes the year of now in UTC when the pattern has none', () => {
    // nowMs 1431849937000 is in 2015; May 17 2015 08:05:37 as above.
    const parse = createTimeParser('MMM dd HH:mm:ss',
      { nowMs: 1431849937000 });
    expect(parse('May 17 08:05:37')).toBe(1431849937000);
  });

  test('clamps the day to the month end as Java SMART resolution does', () => {
    const parse = createTimeParser('yyyy-MM-dd HH');
    // 2015-02-28 = 2015-03-01 (1425168000) minus one day (86400).
    expect(parse('2015-02-31 00')).toBe(1425081600000);
    expect(parse('2015-02-32 00')).toBeNull();
  });

  test('reads 24:00 as the next midnight as Java SMART resolution does', () => {
    const parse = createTimeParser('yyyy-MM-dd HH');
    // 2015-02-11 = 2015-01-01 (1420070400) + 41 days x 86400.
    expect(parse('2015-02-10 24')).toBe(1423612800000);
  });

  test('gives the same instant with and without its date cache', () => {
    const pattern = "yyyy-MM-dd'T'HH:mm:ss.SSSZ";
    const cached = createPatternParser(pattern, { nowMs: 0 });
    const plain = createPatternParser(pattern, { nowMs: 0, cache: false });
    const text = fc.tuple(
      fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 25 }),
      fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 999 }),
      fc.constantFrom('+0000', '+0130', '-0800', 'Z', '+25'),
    ).map(([y, mo, d, h, mi, s, ms, z]) => `${pad(y, 4)}-${pad(mo, 2)}-`
      + `${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}${z}`);
    fc.assert(fc.property(fc.array(text, { maxLength: 20 }), (texts) => {
      for (const t of [...texts, ...texts]) expect(cached(t)).toBe(plain(t));
    }), { numRuns: 200 });
  });
});

describe('time format validation (spec §4.4, §10.9)', () => {
  test('accepts the formats of DD2 and the tested patterns', () => {
    for (const format of ['epoch', 'epoch_ms', 'yyyy-MM-dd HH',
      "yyyy.MM.dd G 'at' HH:mm:ss z", 'yyyy-MM-dd HH:mm:ss.SSSZ',
      'yyyy-MM-dd HH:mm:ssX', "yyyy-MM-dd'T'HH:mm:ssX",
      'yyyy-MM-dd HH:mm:ssXXX', 'yyyy-MM-dd HH:mm:ss.SSS',
      'yyyy-MM-dd-HH-mm-ss', 'dd/MMM/yyyy:HH:mm:ss Z', 'MMM dd HH:mm:ss']) {
      expect(isValidTimeFormat(format), format).toBe(true);
    }
  });

  test('refuses the formats of DD3', () => {
    for (const format of ['invalid', '', 'y-M-dd', 'YYY-mm-UU hh:mm:ssY']) {
      expect(isValidTimeFormat(format), format).toBe(false);
    }
  });

  test('refuses a uuuu or YYYY year that conflicts with the current year',
    () => {
      // 2023-11-14: the formatter defaults the year of era to 2023, and
      // 1970-01-01 read back with a proleptic or week-based year of 1970
      // conflicts with it (spec §4.4); yyyy is the year of era itself.
      const nowMs = 1_700_000_000_000;
      for (const format of ['uuuu-MM-dd HH:mm:ss', 'YYYY-MM-dd HH:mm:ss']) {
        expect(isValidTimeFormat(format, { nowMs }), format).toBe(false);
        expect(createTimeParser(format, { nowMs })('2023-11-14 22:13:20'))
          .toBeNull();
      }
      expect(isValidTimeFormat('yyyy-MM-dd HH:mm:ss', { nowMs })).toBe(true);
    });

  test('checks the examples of DD2 and DD3 with the year of now', () => {
    const nowMs = 1_700_000_000_000;
    for (const format of ['epoch', 'epoch_ms', 'yyyy-MM-dd HH',
      "yyyy.MM.dd G 'at' HH:mm:ss z", 'yyyy-MM-dd HH:mm:ss.SSSZ',
      'yyyy-MM-dd HH:mm:ssX', "yyyy-MM-dd'T'HH:mm:ssX",
      'yyyy-MM-dd HH:mm:ssXXX', 'yyyy-MM-dd HH:mm:ss.SSS',
      'yyyy-MM-dd-HH-mm-ss']) {
      expect(isValidTimeFormat(format, { nowMs }), format).toBe(true);
    }
    for (const format of ['invalid', '', 'y-M-dd', 'YYY-mm-UU hh:mm:ssY']) {
      expect(isValidTimeFormat(format, { nowMs }), format).toBe(false);
    }
  });

  test('treats every record as an invalid date under a refused pattern', () => {
    expect(createTimeParser('y-M-dd')('1970-1-01')).toBeNull();
  });
});

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
