import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createPatternParser } from '../../../lib/counting/datePattern.js';
import { createByteTimeParser } from '../../../lib/counting/timeBytes.js';
import { createTimeParser } from '../../../lib/counting/timeParser.js';
import { compilePattern } from '../../../lib/counting/timeSteps.js';

const NOW = 1_700_000_000_000;
const bytesOf = (text: string) => new TextEncoder().encode(text);

/** The byte parser's answer, or the text parser's where it defers. */
function viaBytes(timeFormat: string, texts: string[]): (number | null)[] {
  const textParser = createTimeParser(timeFormat, { nowMs: NOW });
  const parse = createByteTimeParser(timeFormat, textParser);
  return texts.map((text) => {
    const bytes = bytesOf(` ${text} `);
    const answer = parse(bytes, 1, bytes.length - 1);
    return answer === undefined ? textParser(text) : answer;
  });
}

const pad = (n: number, width: number) =>
  String(Math.abs(n)).padStart(width, '0');

/**
 * Date and time fields with stray values now and then. Dates come from a
 * few, so that most texts meet a date already cached.
 */
const dateText = fc.record({
  date: fc.constantFrom<number[]>([2015, 12, 7], [2015, 12, 7], [2015, 12, 7],
    [2016, 2, 29], [2015, 2, 29], [2015, 2, 30], [2015, 4, 31],
    [2015, 13, 1], [2015, 0, 10], [2015, 12, 32], [0, 1, 1], [9999, 12, 31]),
  hour: fc.oneof(fc.integer({ min: 0, max: 23 }), fc.constantFrom(24, 25)),
  minute: fc.oneof(fc.integer({ min: 0, max: 59 }), fc.constantFrom(0, 60)),
  second: fc.oneof(fc.integer({ min: 0, max: 59 }), fc.constant(60)),
  milli: fc.integer({ min: 0, max: 999 }),
  offsetMin: fc.oneof(fc.integer({ min: -18 * 60, max: 18 * 60 }),
    fc.constantFrom(0, 18 * 60 + 1, -19 * 60)),
}).map(({ date: [year, month, day], ...time }) => ({
  year, month, day, ...time,
}));

type DateParts = typeof dateText extends fc.Arbitrary<infer T> ? T : never;

function offset(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  const h = pad(Math.trunc(Math.abs(minutes) / 60), 2);
  return `${sign}${h}${colon ? ':' : ''}${pad(Math.abs(minutes) % 60, 2)}`;
}

const PATTERNS: [string, (d: DateParts) => string][] = [
  ["yyyy-MM-dd'T'HH:mm:ssZ", (d) => `${pad(d.year, 4)}-${pad(d.month, 2)}-`
    + `${pad(d.day, 2)}T${pad(d.hour, 2)}:${pad(d.minute, 2)}:`
    + `${pad(d.second, 2)}${offset(d.offsetMin, false)}`],
  ['yyyy-MM-dd HH:mm:ss.SSSXXX', (d) => `${pad(d.year, 4)}-`
    + `${pad(d.month, 2)}-${pad(d.day, 2)} ${pad(d.hour, 2)}:`
    + `${pad(d.minute, 2)}:${pad(d.second, 2)}.${pad(d.milli, 3)}`
    + `${offset(d.offsetMin, true)}`],
  ['dd/MM/yyyy HH:mm', (d) => `${pad(d.day, 2)}/${pad(d.month, 2)}/`
    + `${pad(d.year, 4)} ${pad(d.hour, 2)}:${pad(d.minute, 2)}`],
];

/** One character replaced or dropped, now and then. */
const damage = fc.option(fc.tuple(fc.nat(), fc.constantFrom('x', '', '9',
  '+', ' ', 'Z')), { freq: 6, nil: null });

function damaged(text: string, hurt: [number, string] | null): string {
  if (hurt === null) return text;
  const at = hurt[0] % text.length;
  return text.slice(0, at) + hurt[1] + text.slice(at + 1);
}

describe('times read from bytes', () => {
  test.each(PATTERNS)('give what plain js-joda gives for %s',
    (pattern, format) => {
      const reference = createPatternParser(pattern,
        { nowMs: NOW, cache: false });
      fc.assert(fc.property(fc.array(fc.tuple(dateText, damage),
        { minLength: 1, maxLength: 40 }), (cases) => {
        const texts = cases.map(([d, hurt]) => damaged(format(d), hurt));
        expect(viaBytes(pattern, texts)).toEqual(texts.map(reference));
      }), { numRuns: 300 });
    });

  test.each(['epoch', 'epoch_ms'])('give what the text parser gives for %s',
    (timeFormat) => {
      const textParser = createTimeParser(timeFormat);
      const text = fc.stringMatching(/^-?[0-9]{0,17}(\.[0-9]{0,3})?$/);
      fc.assert(fc.property(fc.array(text, { maxLength: 20 }), (texts) => {
        expect(viaBytes(timeFormat, texts)).toEqual(texts.map(textParser));
      }), { numRuns: 300 });
    });

  test('read 1449446400 as epoch seconds without the text parser', () => {
    const never = () => { throw new Error('text parser called'); };
    const parse = createByteTimeParser('epoch', never);
    const bytes = bytesOf('1449446400');
    // 1449446400 s × 1000 = 1449446400000 ms (2015-12-07T00:00:00Z).
    expect(parse(bytes, 0, bytes.length)).toBe(1_449_446_400_000);
  });

  test('read the farequote time with one text parse per date', () => {
    let textParses = 0;
    const textParser = createTimeParser("yyyy-MM-dd'T'HH:mm:ssZ");
    const parse = createByteTimeParser("yyyy-MM-dd'T'HH:mm:ssZ", (text) => {
      textParses += 1;
      return textParser(text);
    });
    const times = ['2015-12-07T00:00:00+0000', '2015-12-07T13:45:10+0000',
      '2015-12-07T23:59:56+0100'].map((text) => {
      const bytes = bytesOf(text);
      return parse(bytes, 0, bytes.length);
    });
    // 2015-12-07T00:00:00Z = 1449446400000 ms; 13:45:10 adds 49510 s;
    // 23:59:56 at +01:00 is 22:59:56Z, 82796 s after midnight.
    expect(times).toEqual([1_449_446_400_000, 1_449_495_910_000,
      1_449_529_196_000]);
    expect(textParses).toBe(1);
  });

  test('take an offset beyond 18 hours as an invalid date', () => {
    // ZoneOffset allows -18:00 to +18:00; the date is cached by the first.
    const texts = ['2015-12-07 00:00:00.000+00:00',
      '2015-12-07 04:00:00.000-19:00', '2015-12-07 04:00:00.000-18:00'];
    // 04:00 at -18:00 is 22:00Z: 1449446400000 + 22 × 3600000.
    expect(viaBytes('yyyy-MM-dd HH:mm:ss.SSSXXX', texts))
      .toEqual([1_449_446_400_000, null, 1_449_525_600_000]);
  });

  test('leave patterns with adjacent numbers or zone names to the text parser',
    () => {
      expect(compilePattern('yyyyMMddHHmmss')).toBeNull();
      expect(compilePattern('dd/MMM/yyyy:HH:mm:ss z')).toBeNull();
      expect(compilePattern('dd/MMM/yyyy:HH:mm:ss Z')).not.toBeNull();
      expect(compilePattern("yyyy-MM-dd'T'HH:mm:ssZ")).not.toBeNull();
    });
});
