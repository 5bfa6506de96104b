import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createPatternParser } from '../../../lib/counting/datePattern.js';
import { createByteTimeParser } from '../../../lib/counting/timeBytes.js';
import { createTimeParser } from '../../../lib/counting/timeParser.js';

// 2023-11-14T22:13:20Z: patterns without a year read 2023.
const NOW = 1_700_000_000_000;
const bytesOf = (text: string) => new TextEncoder().encode(text);

/** Each text through the byte parser, and the text parser where it defers. */
function viaBytes(pattern: string, texts: string[], onText = () => {}) {
  const textParser = createTimeParser(pattern, { nowMs: NOW });
  const parse = createByteTimeParser(pattern, (text) => {
    onText();
    return textParser(text);
  });
  return texts.map((text) => {
    const bytes = bytesOf(`"${text}"`);
    const answer = parse(bytes, 1, bytes.length - 1);
    return answer === undefined ? textParser(text) : answer;
  });
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday',
  'Saturday', 'Sunday'];

/**
 * A name as written, or one of the ways it goes wrong: another case, a
 * narrow or cut form, a number, a letter too many, another name.
 */
function form(names: string[], i: number, roll: number): string {
  const full = names[i];
  if (roll < 45) return full.slice(0, 3);
  if (roll < 60) return full;
  if (roll < 66) return full.toLowerCase();
  if (roll < 72) return full.slice(0, 3).toUpperCase();
  if (roll < 77) return full[0];
  if (roll < 82) return full.slice(0, 4);
  if (roll < 86) return `${full.slice(0, 3)}x`;
  if (roll < 90) return String(i + 1).padStart(2, '0');
  return names[(i + 1 + roll) % names.length].slice(0, 3);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Mostly a few dates, so that the cache is met, with some odd ones. */
const parts = fc.record({
  date: fc.constantFrom<number[]>([2015, 5, 17], [2015, 5, 17], [2015, 5, 17],
    [2015, 6, 4], [2016, 2, 29], [2015, 2, 29], [2015, 4, 31], [2015, 1, 32],
    [9999, 12, 31], [1, 1, 1]),
  monthRoll: fc.nat({ max: 99 }),
  dayRoll: fc.nat({ max: 99 }),
  hour: fc.oneof(fc.integer({ min: 0, max: 23 }), fc.constant(24)),
  minute: fc.integer({ min: 0, max: 59 }),
  second: fc.oneof(fc.integer({ min: 0, max: 59 }), fc.constant(60)),
  offset: fc.constantFrom('+0000', '+0000', '-0700', '+1800', '+1830', 'Z'),
});

type Parts = typeof parts extends fc.Arbitrary<infer T> ? T : never;

/** The names of the date's month and day of week, in a generated form. */
function names(d: Parts): { month: string; day: string } {
  const [year, month, day] = d.date;
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return {
    month: form(MONTHS, month - 1, d.monthRoll),
    day: form(DAYS, (date.getUTCDay() + 6) % 7, d.dayRoll),
  };
}

const time = (d: Parts) =>
  `${pad(d.hour)}:${pad(d.minute)}:${pad(d.second)}`;

const PATTERNS: [string, (d: Parts) => string][] = [
  ['dd/MMM/yyyy:HH:mm:ss Z', (d) => `${pad(d.date[2])}/${names(d).month}/`
    + `${pad(d.date[0], 4)}:${time(d)} ${d.offset}`],
  ['EEE, dd MMM yyyy HH:mm:ss Z', (d) => `${names(d).day}, `
    + `${pad(d.date[2])} ${names(d).month} ${pad(d.date[0], 4)} ${time(d)} `
    + d.offset],
  ['MMM dd HH:mm:ss', (d) => `${names(d).month} ${pad(d.date[2])} ${time(d)}`],
  ['EEEE dd MMMM yyyy HH:mm', (d) => `${names(d).day} ${pad(d.date[2])} `
    + `${names(d).month} ${pad(d.date[0], 4)} ${time(d).slice(0, 5)}`],
];

describe('month and day names read from bytes', () => {
  test.each(PATTERNS)('give what plain js-joda gives for %s',
    (pattern, format) => {
      const reference = createPatternParser(pattern,
        { nowMs: NOW, cache: false });
      fc.assert(fc.property(fc.array(parts, { minLength: 1, maxLength: 40 }),
        (cases) => {
          const texts = cases.map(format);
          const expected = texts.map(reference);
          expect(viaBytes(pattern, texts)).toEqual(expected);
          // The text parser's own date cache, on the same texts.
          const cachedText = createTimeParser(pattern, { nowMs: NOW });
          expect(texts.map(cachedText)).toEqual(expected);
        }), { numRuns: 300 });
    });

  test('read big_ascending.txt times with one text parse per date', () => {
    let textParses = 0;
    const times = viaBytes('dd/MMM/yyyy:HH:mm:ss Z', [
      '17/May/2015:08:05:37 +0000', '17/May/2015:08:05:40 +0000',
      '17/May/2015:23:59:59 +0000', '04/Jun/2015:06:06:42 +0000'],
    () => { textParses += 1; });
    // 2015-05-17 = day 16572 × 86400 = 1431820800 s; + 8:05:37 = 29137 s,
    // + 8:05:40 = 29140 s, + 23:59:59 = 86399 s. 2015-06-04 is 18 days
    // later, 1433376000 s; + 6:06:42 = 22002 s.
    expect(times).toEqual([1431849937000, 1431849940000, 1431907199000,
      1433398002000]);
    expect(textParses).toBe(2);
  });

  test('read full names from bytes where a pattern asks for short ones',
    () => {
      let textParses = 0;
      const times = viaBytes('dd/MMM/yyyy:HH:mm:ss Z',
        ['17/September/2015:00:00:00 +0000', '17/September/2015:00:00:01 +0000',
          '17/sep/2015:00:00:00 +0000'], () => { textParses += 1; });
      // 2015-09-17 = 2015-05-17 + 123 days: 1431820800 + 123 × 86400.
      expect(times).toEqual([1442448000000, 1442448001000, null]);
      expect(textParses).toBe(1);
    });

  test('take a day name that does not fit the date as an invalid date', () => {
    // 2015-05-17 was a Sunday: 16572 days after a Thursday, 16572 mod 7 = 3.
    expect(viaBytes('EEE, dd MMM yyyy HH:mm:ss Z',
      ['Sun, 17 May 2015 00:00:00 +0000', 'Mon, 17 May 2015 00:00:00 +0000']))
      .toEqual([1431820800000, null]);
  });
});
