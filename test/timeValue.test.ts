import { describe, expect, test } from 'vitest';
import { MlError } from '../lib/errors.js';
import { parseTimeValue } from '../lib/timeValue.js';

function refusal(setting: string, text: string): MlError {
  try {
    parseTimeValue(setting, text);
  } catch (caught) {
    expect(caught).toBeInstanceOf(MlError);
    return caught as MlError;
  }
  throw new Error(`${JSON.stringify(text)} was accepted`);
}

describe('parseTimeValue', () => {
  test.each([
    // Each unit by hand: 1 d = 24 h = 1,440 m = 86,400 s.
    ['30d', 30 * 86_400_000],
    ['2h', 7_200_000],
    ['5m', 300_000],
    ['3600s', 3_600_000],
    ['3600000ms', 3_600_000],
    ['1500micros', 1.5],
    ['2000000nanos', 2],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseTimeValue('bucket_span', text)).toBe(ms);
  });

  test('ignores case and surrounding spaces', () => {
    expect(parseTimeValue('latency', ' 1D ')).toBe(86_400_000);
    expect(parseTimeValue('latency', '10MS')).toBe(10);
  });

  test('takes what Java reads as a long: a plus sign, a space before the unit',
    () => {
      expect(parseTimeValue('latency', '+5m')).toBe(300_000);
      expect(parseTimeValue('latency', '5 m')).toBe(300_000);
      expect(parseTimeValue('latency', '007s')).toBe(7000);
    });

  test('takes -1 and 0 without a unit, and -1 with one', () => {
    expect(parseTimeValue('timeout', '-1')).toBe(-1);
    expect(parseTimeValue('timeout', '-001')).toBe(-1);
    expect(parseTimeValue('timeout', '0')).toBe(0);
    expect(parseTimeValue('timeout', '000')).toBe(0);
    expect(parseTimeValue('latency', '-1s')).toBe(-1000);
    expect(Object.is(parseTimeValue('latency', '-0s'), 0)).toBe(true);
  });

  test.each(['10', '1w', '', '1M', '5m ', '-2'])(
    'refuses %j as a value whose unit is missing', (text) => {
      const error = refusal('bucket_span', text);

      expect(error.status).toBe(400);
      expect(error.type).toBe('parse_exception');
      expect(error.message).toBe('failed to parse setting '
        + `[bucket_span] with value [${text}] as a time value: unit is `
        + 'missing or unrecognized');
    });

  test.each(['1.5h', '1e3s', '.5d', '-1.5m', '2.s',
    // Beyond a long (2^63 - 1 = 9223372036854775807), Java reads a double.
    '9223372036854775808ms'])(
    'refuses %j as fractional', (text) => {
      const error = refusal('bucket_span', text);

      expect(error.type).toBe('parse_exception');
      expect(error.message).toBe(
        `failed to parse [${text}], fractional time values are not supported`);
    });

  test.each(['s', 'd', 'xs', '1-2h', '--1m', 'ms5ms'])(
    'refuses %j as not a number', (text) => {
      expect(refusal('bucket_span', text).message)
        .toBe(`failed to parse [${text}]`);
    });

  test.each(['-2s', '-10m', '-9223372036854775808d'])(
    'refuses %j as negative', (text) => {
      expect(refusal('latency', text).message).toBe('failed to parse '
        + `setting [latency] with value [${text}] as a time value: negative `
        + 'durations are not supported');
    });
});
