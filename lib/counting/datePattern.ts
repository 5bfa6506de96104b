/**
 * Custom `time_format` patterns (spec §4.4): Java `DateTimeFormatter`
 * letters, read with js-joda, which implements the same formatter model.
 *
 * js-joda has every Java pattern letter except `B` (day period, Java 16+),
 * `g` (modified Julian day) and `v` (generic zone name); a pattern with one
 * of them is refused as invalid here while Java would accept it. Zone names
 * (`z`) print as region ids (`Europe/Paris`) instead of Java's short names,
 * which only changes what a round trip prints, not whether it succeeds.
 */
import {
  ChronoField, DateTimeFormatter, DateTimeFormatterBuilder, Instant,
  LocalDate, LocalDateTime, ParsePosition, ResolverStyle, ZoneId, ZoneOffset,
  ZonedDateTime, type TemporalAccessor,
} from '@js-joda/core';
import { Locale } from '@js-joda/locale';
// Registers the zone rules and the English month and day names that the
// formatter reads (`MMM` = `May`); both packages work by side effect.
import '@js-joda/timezone';
import '@js-joda/locale_en-us';
import {
  DateStarts, dateKey, isPlainDate, isPlainTime, mayCacheDates, timeOfDayMs,
} from './dateStarts.js';

export interface PatternParserOptions {
  /** Wall clock in epoch ms: its UTC year fills in a pattern without one. */
  nowMs: number;
  /** Off only to compare the cached path against plain js-joda in tests. */
  cache?: boolean;
}

/**
 * The formatter Elasticsearch builds: lenient, the user pattern, the year
 * of `nowMs` as default year-of-era, SMART resolution, English names. The
 * default is added unconditionally, as in Elasticsearch, so a `uuuu` (or
 * week-based `YYYY`) year other than the current one conflicts with it
 * and fails to resolve.
 */
function buildFormatter(pattern: string, nowMs: number): DateTimeFormatter {
  const currentYear = new Date(nowMs).getUTCFullYear();
  return new DateTimeFormatterBuilder()
    .parseLenient()
    .appendPattern(pattern)
    .parseDefaulting(ChronoField.YEAR_OF_ERA, currentYear)
    .toFormatter(ResolverStyle.SMART)
    .withLocale(Locale.US);
}

export type PatternKind = 'instant' | 'localDateTime';

export interface DatePattern {
  formatter: DateTimeFormatter;
  kind: PatternKind;
}

/**
 * The pattern as Elasticsearch checks it when a job is created and reads
 * it for every record (spec §4.4): 1970-01-01T00:00:00Z is formatted with
 * the formatter and parsed back. An instant means the pattern carries a
 * zone; a date with an hour means a local date-time read as UTC; anything
 * else cannot give a timestamp, and the pattern is refused (null).
 */
export function compileDatePattern(
  pattern: string, nowMs: number,
): DatePattern | null {
  try {
    const formatter = buildFormatter(pattern, nowMs);
    // The region `UTC` rather than the offset `Z`: js-joda prints the
    // offset's id `Z` for `z`, which its own `z` parser then refuses.
    const epoch = ZonedDateTime.ofInstant(Instant.EPOCH, ZoneId.of('UTC'));
    const parsed = formatter.parse(formatter.format(epoch));
    if (parsed.isSupported(ChronoField.INSTANT_SECONDS)) {
      return { formatter, kind: 'instant' };
    }
    if (parsed.isSupported(ChronoField.EPOCH_DAY)
      && parsed.isSupported(ChronoField.HOUR_OF_DAY)) {
      return { formatter, kind: 'localDateTime' };
    }
    return null;
  } catch {
    return null;
  }
}

/** A resolved parse to epoch ms, as Elasticsearch converts it; or null. */
function resolveToMillis(
  { formatter, kind }: DatePattern, text: string,
): number | null {
  try {
    const parsed = formatter.parse(text);
    if (kind === 'instant') return Instant.from(parsed).toEpochMilli();
    return LocalDateTime.from(parsed).toInstant(ZoneOffset.UTC).toEpochMilli();
  } catch {
    return null;
  }
}

/** Pattern letters outside quotes, or null when it has optional sections. */
function patternLetters(pattern: string): Set<string> | null {
  const letters = new Set<string>();
  let quoted = false;
  for (const ch of pattern) {
    if (ch === "'") { quoted = !quoted; continue; }
    if (quoted) continue;
    if (ch === '[' || ch === ']' || ch === '#' || ch === '{' || ch === '}') {
      return null;
    }
    if (/[A-Za-z]/.test(ch)) letters.add(ch);
  }
  return letters;
}

function fieldOr(
  parsed: TemporalAccessor, field: ChronoField, fallback: number,
): number {
  return parsed.isSupported(field) ? parsed.get(field) : fallback;
}

/**
 * A parser for one pattern, decided once per upload. A record whose date
 * is in the cache (dateStarts.ts) costs one unresolved js-joda parse,
 * which is several times cheaper than a resolved one. Anything unusual
 * (out-of-range fields, a zone id, a date seen for the first time) goes
 * through the full js-joda resolution.
 */
export function createPatternParser(
  pattern: string, options: PatternParserOptions,
): (text: string) => number | null {
  const compiled = compileDatePattern(pattern, options.nowMs);
  if (compiled === null) return () => null;
  const letters = patternLetters(pattern);
  if (options.cache === false || letters === null
    || !mayCacheDates(letters)) {
    return (text) => resolveToMillis(compiled, text);
  }

  const { formatter } = compiled;
  const dateStarts = new DateStarts();
  const position = new ParsePosition(0);
  let lastText = '';
  let lastMillis: number | null = null;

  const parseUncached = (text: string): number | null => {
    position.setIndex(0);
    position.setErrorIndex(-1);
    const parsed = formatter.parseUnresolved(text, position);
    if (parsed === null || position.getErrorIndex() >= 0
      || position.getIndex() !== text.length) return null;

    // Without a year in the pattern, the default year is a parsed field.
    const year = fieldOr(parsed, ChronoField.YEAR_OF_ERA, -1);
    const month = fieldOr(parsed, ChronoField.MONTH_OF_YEAR, -1);
    const day = fieldOr(parsed, ChronoField.DAY_OF_MONTH, -1);
    const dayOfWeek = fieldOr(parsed, ChronoField.DAY_OF_WEEK, 0);
    const hour = fieldOr(parsed, ChronoField.HOUR_OF_DAY, -1);
    const minute = fieldOr(parsed, ChronoField.MINUTE_OF_HOUR, 0);
    const second = fieldOr(parsed, ChronoField.SECOND_OF_MINUTE, 0);
    const nano = fieldOr(parsed, ChronoField.NANO_OF_SECOND, 0);
    const offsetSec = fieldOr(parsed, ChronoField.OFFSET_SECONDS, 0);
    if (!isPlainDate(year, month, day)
      || !isPlainTime(hour, minute, second, nano, offsetSec)) {
      return resolveToMillis(compiled, text);
    }

    const timeMs = timeOfDayMs(hour, minute, second, nano, offsetSec);
    const key = dateKey(year, month, day, dayOfWeek);
    const dateStart = dateStarts.get(key);
    if (dateStart !== undefined) return dateStart + timeMs;

    const millis = resolveToMillis(compiled, text);
    if (millis === null) return null;
    dateStarts.set(key, millis - timeMs);
    return millis;
  };

  return (text) => {
    if (text === lastText && lastMillis !== null) return lastMillis;
    const millis = parseUncached(text);
    lastText = text;
    lastMillis = millis;
    return millis;
  };
}

/** A name the formatter reads for a field, and the field's value. */
export interface FieldName {
  text: string;
  value: number;
}

/**
 * The full and short English names of months (`MMMM`, `MMM`) or days of
 * the week (`EEEE`, `EEE`), as js-joda prints them with the US locale,
 * longest first. A lenient formatter reads any of them for any count of
 * the letter, and the narrow one-letter forms too, which are left out.
 */
export function englishNames(field: 'month' | 'dayOfWeek'): FieldName[] {
  const letter = field === 'month' ? 'M' : 'E';
  const full = DateTimeFormatter.ofPattern(letter.repeat(4))
    .withLocale(Locale.US);
  const short = DateTimeFormatter.ofPattern(letter.repeat(3))
    .withLocale(Locale.US);
  const names = new Map<string, number>();
  for (let value = 1; value <= (field === 'month' ? 12 : 7); value += 1) {
    // 2001-01-01 was a Monday, day of week 1.
    const date = field === 'month' ? LocalDate.of(2001, value, 1)
      : LocalDate.of(2001, 1, value);
    for (const formatter of [full, short]) {
      const text = formatter.format(date);
      if (!names.has(text)) names.set(text, value);
    }
  }
  return [...names].map(([text, value]) => ({ text, value }))
    .sort((a, b) => b.text.length - a.text.length);
}
