import { describe, expect, test } from 'vitest';
import { renderDataCounts } from '../../lib/counting/dataCounts.js';
import { flushEngine } from '../../lib/counting/session.js';
import { isoTimeText, jsonNumberText } from '../../lib/counting/timeText.js';
import { fqConfig, openedState, post } from './uploads.js';

/** Days from 1970-01-01 in ms. */
const DAY = 86_400_000;

describe('times as Elasticsearch prints them (spec §3.5)', () => {
  test('prints an ordinary time with milliseconds', () => {
    expect(isoTimeText(1403481600000)).toBe('2014-06-23T00:00:00.000Z');
    expect(isoTimeText(-1)).toBe('1969-12-31T23:59:59.999Z');
  });

  test('gives a year of five digits a plus sign', () => {
    // 1970 to 2000: 10957 days; 2000 to 10000: 20 × 400 years of 146097
    // days = 2921940; 2932897 days in all.
    expect(isoTimeText(2_932_897 * DAY)).toBe('+10000-01-01T00:00:00.000Z');
    expect(isoTimeText(2_932_897 * DAY - 1))
      .toBe('9999-12-31T23:59:59.999Z');
  });

  test('prints year 0 with four digits and the year before with a minus', () => {
    // 0000-01-01 is 719528 days before 1970-01-01.
    expect(isoTimeText(-719_528 * DAY)).toBe('0000-01-01T00:00:00.000Z');
    expect(isoTimeText(-719_528 * DAY - 1))
      .toBe('-0001-12-31T23:59:59.999Z');
  });

  test('prints Long.MAX_VALUE and Long.MIN_VALUE milliseconds', () => {
    // 9223372036854775807 ms = 106751991167 days + 25975807 ms (07:12:55.807);
    // 106751991167 = 730692 × 146097 + 82043, and day 82043 is 2194-08-17:
    // 2194 + 400 × 730692 = 292278994.
    expect(isoTimeText(2 ** 63)).toBe('+292278994-08-17T07:12:55.807Z');
    // -9223372036854775808 ms = -106751991168 days + 60424192 ms
    // (16:47:04.192); -106751991168 = -730693 × 146097 + 64053, day 64053
    // is 2145-05-16: 2145 - 400 × 730693 = -292275055.
    expect(isoTimeText(-(2 ** 63))).toBe('-292275055-05-16T16:47:04.192Z');
  });
});

describe('numbers as JSON text', () => {
  test('prints saturated times as Java long bounds', () => {
    expect(jsonNumberText(2 ** 63)).toBe('9223372036854775807');
    expect(jsonNumberText(-(2 ** 63))).toBe('-9223372036854775808');
  });

  test('prints other numbers with all their digits', () => {
    expect(jsonNumberText(1403481600000)).toBe('1403481600000');
    expect(jsonNumberText(-5)).toBe('-5');
    expect(jsonNumberText(1.5)).toBe('1.5');
    // 2^53 + 2 and 2^63 - 1024, the double just below 2^63.
    expect(jsonNumberText(2 ** 53 + 2)).toBe('9007199254740994');
    expect(jsonNumberText(2 ** 63 - 1024)).toBe('9223372036854774784');
  });
});

describe('data counts at the edge of the long range', () => {
  const config = fqConfig({ timeFormat: 'epoch_ms' });

  test.each(['"Infinity"', '"1e20"', '9223372036854775807'])(
    'renders a time of %s as Long.MAX_VALUE with its string', (time) => {
      const result = post(config, openedState(config),
        `{"time":${time},"airline":"a","responsetime":1}`);
      const counts = renderDataCounts('j', result.counts, 2, { human: true });
      expect(jsonNumberText(counts.latest_record_timestamp as number))
        .toBe('9223372036854775807');
      expect(counts.latest_record_timestamp_string)
        .toBe('+292278994-08-17T07:12:55.807Z');
    });

  test('renders a time beyond the range of a Date with its string', () => {
    // Epoch seconds 9e12 = 9e15 ms = 104166666 days + 57600000 ms (16:00);
    // 104166666 = 712 × 146097 + 145602, day 145602 is 2368-08-24:
    // 2368 + 400 × 712 = 287168.
    const seconds = fqConfig();
    const result = post(seconds, openedState(seconds),
      '{"time":9000000000000,"airline":"a","responsetime":1}');
    const counts = renderDataCounts('j', result.counts, 2, { human: true });
    expect(counts.earliest_record_timestamp).toBe(9e15);
    expect(counts.earliest_record_timestamp_string)
      .toBe('+287168-08-24T16:00:00.000Z');

    // The engine's clock after it: floor(9e12 s, 3600 s) = 9e12 (9e12 is
    // 2.5e9 hours), and a flush reports it in ms.
    const flushed = flushEngine(seconds, result.state, {});
    expect(flushed.lastFinalizedBucketEndMs).toBe(9e15);
    expect(isoTimeText(9e15)).toBe('+287168-08-24T16:00:00.000Z');
  });
});
