import { describe, expect, test } from 'vitest';
import { MlError } from '../lib/errors.js';
import { parseTimeValue } from '../lib/timeValue.js';

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

  test('reads a leading minus as a negative value for the caller to judge',
    () => {
      expect(parseTimeValue('latency', '-1s')).toBe(-1000);
    });

  test.each(['10', '1w', '1.5h', 'd', '', '5 m', '+5m', '1e3s'])(
    'refuses %j with the setting and value named', (text) => {
      let error: unknown;
      try {
        parseTimeValue('bucket_span', text);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(MlError);
      expect((error as MlError).status).toBe(400);
      expect((error as MlError).type).toBe('parse_exception');
      expect((error as MlError).message).toBe('failed to parse setting '
        + `[bucket_span] with value [${text}] as a time value: unit is `
        + 'missing or unrecognized');
    });
});
