import { describe, expect, test } from 'vitest';
import {
  parseFlushParams, parseResetRange, parseTimeParam,
} from '../../lib/jobs/timeRange.js';

// 2016-05-01T10:00:00Z by hand: 46 years from 1970 with 11 leap days is
// 16,801 days, plus 121 days of January to April 2016 is 16,922 days;
// 16,922 * 86,400 + 10 * 3,600 = 1,462,096,800 s (spec P1).
const MAY_1_10H = 1_462_096_800;
const NOW_MS = 1_700_000_000_123;

const unparsable = (name: string, raw: string) => ({
  status: 400,
  type: 'parse_exception',
  message: `Query param [${name}] with value [${raw}] cannot be parsed as `
    + 'a date or converted to a number (epoch).',
});

describe('converting one time parameter', () => {
  test('now is the wall clock', () => {
    expect(parseTimeParam('start', 'now', NOW_MS)).toBe(NOW_MS);
  });

  test('an integer of up to 10 characters is seconds', () => {
    expect(parseTimeParam('start', '10', 0)).toBe(10_000);
    expect(parseTimeParam('start', '1403481600', 0)).toBe(1_403_481_600_000);
    expect(parseTimeParam('start', '+123456789', 0)).toBe(123_456_789_000);
  });

  test('an integer of more than 10 characters is milliseconds', () => {
    expect(parseTimeParam('start', '1514804400000', 0))
      .toBe(1_514_804_400_000);
    expect(parseTimeParam('start', '01403481600', 0)).toBe(1_403_481_600);
  });

  test('an ISO date without an offset is UTC', () => {
    expect(parseTimeParam('start', '2016-05-01T10:00:00Z', 0))
      .toBe(MAY_1_10H * 1000);
    expect(parseTimeParam('start', '2016-05-01T10:00:00', 0))
      .toBe(MAY_1_10H * 1000);
    // Midnight is 10 hours earlier.
    expect(parseTimeParam('start', '2016-05-01', 0))
      .toBe((MAY_1_10H - 36_000) * 1000);
  });

  test('an ISO date keeps its offset and fraction', () => {
    // 12:00 at +02:00 is 10:00 UTC.
    expect(parseTimeParam('start', '2016-05-01T12:00:00+02:00', 0))
      .toBe(MAY_1_10H * 1000);
    expect(parseTimeParam('start', '2016-05-01T12:00+0200', 0))
      .toBe(MAY_1_10H * 1000);
    expect(parseTimeParam('start', '2016-05-01T10:00:00.250Z', 0))
      .toBe(MAY_1_10H * 1000 + 250);
  });

  test('a negative value or a date before 1970 is refused', () => {
    expect(() => parseTimeParam('start', '-5', 0))
      .toThrow(expect.objectContaining(unparsable('start', '-5')));
    expect(() => parseTimeParam('end', '1969-12-31', 0))
      .toThrow(expect.objectContaining(unparsable('end', '1969-12-31')));
  });

  test('text that is neither a number nor a strict date is refused', () => {
    for (const raw of ['bad', '2016-02-30', '2016-05-01T24:00', '1 0',
      '2016-5-1', '10.5', '']) {
      expect(() => parseTimeParam('skip_time', raw, 0))
        .toThrow(expect.objectContaining(unparsable('skip_time', raw)));
    }
  });
});

describe('the reset range of a post data', () => {
  test('P1, P2, P6: a start alone ends one second later', () => {
    expect(parseResetRange({ start: '10' }, 0))
      .toEqual({ startSec: 10, endSec: 11 });
    expect(parseResetRange({ start: '2016-05-01T10:00:00Z' }, 0))
      .toEqual({ startSec: MAY_1_10H, endSec: MAY_1_10H + 1 });
    expect(parseResetRange({ start: '10', end: '20' }, 0))
      .toEqual({ startSec: 10, endSec: 20 });
  });

  test('P7: an end equal to the start ends one second later', () => {
    const at = '2016-05-01T10:00:00Z';

    expect(parseResetRange({ start: at, end: at }, 0))
      .toEqual({ startSec: MAY_1_10H, endSec: MAY_1_10H + 1 });
  });

  test('P3 and Y4: a bad reset_start names start', () => {
    expect(() => parseResetRange({ start: 'bad' }, 0))
      .toThrow(expect.objectContaining(unparsable('start', 'bad')));
    expect(() => parseResetRange({ start: 'not_a_date' }, 0))
      .toThrow(expect.objectContaining(unparsable('start', 'not_a_date')));
  });

  test('P4 and Y4: a bad reset_end names end, even without a start', () => {
    expect(() => parseResetRange({ start: '5', end: 'bad' }, 0))
      .toThrow(expect.objectContaining(unparsable('end', 'bad')));
    expect(() => parseResetRange({ end: 'end_not_a_date' }, 0))
      .toThrow(expect.objectContaining(
        unparsable('end', 'end_not_a_date')));
  });

  test('P5: an end before the start is a 400 with both raw values', () => {
    const range = {
      start: '2016-10-01T10:00:00Z', end: '2016-09-30T10:00:00Z',
    };

    expect(() => parseResetRange(range, 0)).toThrow(expect.objectContaining({
      status: 400,
      type: 'illegal_argument_exception',
      message: "Invalid time range: end time '2016-09-30T10:00:00Z' is "
        + "earlier than start time '2016-10-01T10:00:00Z'.",
    }));
  });

  test('P8: a reset happens only when a start is given', () => {
    expect(parseResetRange({}, 0)).toBeNull();
    expect(parseResetRange({ start: '', end: '' }, 0)).toBeNull();
    expect(parseResetRange({ end: '1' }, 0)).toBeNull();
    expect(parseResetRange({ start: '5' }, 0))
      .toEqual({ startSec: 5, endSec: 6 });
  });

  test('now converts to whole seconds of the wall clock', () => {
    // 1,700,000,000,123 ms truncates to 1,700,000,000 s.
    expect(parseResetRange({ start: 'now' }, NOW_MS))
      .toEqual({ startSec: 1_700_000_000, endSec: 1_700_000_001 });
  });
});

describe('flush parameters', () => {
  const invalidFlush = (detail: string) => ({
    status: 400,
    type: 'illegal_argument_exception',
    message: `Invalid flush parameters: ${detail}.`,
  });

  test('no parameters flush without interim results', () => {
    expect(parseFlushParams({}, 0)).toEqual({
      calcInterim: false, interim: null,
      advanceTimeSec: undefined, skipTimeSec: undefined,
    });
  });

  test('Y5: bad start, end and advance_time name their parameter', () => {
    expect(() => parseFlushParams({ start: 'not_a_date' }, 0))
      .toThrow(expect.objectContaining(unparsable('start', 'not_a_date')));
    expect(() => parseFlushParams({ end: 'end_not_a_date' }, 0))
      .toThrow(expect.objectContaining(
        unparsable('end', 'end_not_a_date')));
    expect(() => parseFlushParams(
      { advanceTime: 'advance_time_not_a_date' }, 0))
      .toThrow(expect.objectContaining(
        unparsable('advance_time', 'advance_time_not_a_date')));
    expect(() => parseFlushParams({ skipTime: 'x' }, 0))
      .toThrow(expect.objectContaining(unparsable('skip_time', 'x')));
  });

  test('start or end without calc_interim is unexpected', () => {
    expect(() => parseFlushParams({ start: '10' }, 0))
      .toThrow(expect.objectContaining(invalidFlush("unexpected 'start'")));
    expect(() => parseFlushParams({ end: '10' }, 0))
      .toThrow(expect.objectContaining(invalidFlush("unexpected 'end'")));
  });

  test('a bad start is reported before the missing calc_interim', () => {
    expect(() => parseFlushParams({ start: 'bad' }, 0))
      .toThrow(expect.objectContaining(unparsable('start', 'bad')));
  });

  test('calc_interim with an end but no start lacks the start', () => {
    expect(() => parseFlushParams({ calcInterim: true, end: '10' }, 0))
      .toThrow(expect.objectContaining(
        invalidFlush("'start' has not been specified")));
  });

  test('calc_interim with a start alone covers one second', () => {
    expect(parseFlushParams({ calcInterim: true, start: '10' }, 0))
      .toMatchObject({ calcInterim: true,
        interim: { startSec: 10, endSec: 11 } });
  });

  test('calc_interim with an end before the start is refused', () => {
    expect(() => parseFlushParams(
      { calcInterim: true, start: '20', end: '10' }, 0))
      .toThrow(expect.objectContaining({
        status: 400,
        message: "Invalid time range: end time '10' is earlier than start "
          + "time '20'.",
      }));
  });

  test('advance_time and skip_time are whole seconds', () => {
    // Spec Y3 and the flush docs: 10 digits are seconds, 13 are ms.
    expect(parseFlushParams({
      skipTime: '1403488700', advanceTime: '1514804400000',
    }, 0)).toMatchObject({
      advanceTimeSec: 1_514_804_400, skipTimeSec: 1_403_488_700,
    });
  });

  test('advance_time must be later than skip_time', () => {
    expect(() => parseFlushParams(
      { advanceTime: '100', skipTime: '100' }, 0))
      .toThrow(expect.objectContaining({
        status: 400,
        type: 'status_exception',
        message: 'advance_time [100] must be later than skip_time [100]',
      }));
    expect(parseFlushParams({ advanceTime: '101', skipTime: '100' }, 0))
      .toMatchObject({ advanceTimeSec: 101, skipTimeSec: 100 });
  });
});
