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
  ChronoField, DateTimeFormatterBuilder, Instant, LocalDateTime,
  ParsePosition, ResolverStyle, ZoneId, ZoneOffset, ZonedDateTime,
  type DateTimeFormatter, type TemporalAccessor,
} from '@js-joda/core';
import { Locale } from '@js-joda/locale';
// Registers the zone rules and the English month and day names that the
// formatter reads (`MMM` = `May`); both packages work by side effect.
import '@js-joda/timezone';
import '@js-joda/locale_en-us';

export interface PatternParserOptions {
  /** Wall clock in epoch ms: its UTC year fills in a pattern without one. */
  nowMs: number;
  /** Off only to compare the cached path against plain js-joda in tests. */
  cache?: boolean;
}

/**
 * The formatter Elasticsearch builds: lenient, the user pattern, the year
 * of `nowMs` as default year-of-era, SMART resolution, English names. The
 * default is added unconditionally, as in Elasticsearch, so a `uuuu` year
 * other than the current one conflicts with it and fails to resolve.
 */
export function buildFormatter(
  pattern: string, nowMs: number,
): DateTimeFormatter {
  const currentYear = new Date(nowMs).getUTCFullYear();
  return new DateTimeFormatterBuilder()
    .parseLenient()
    .appendPattern(pattern)
    .parseDefaulting(ChronoField.YEAR_OF_ERA, currentYear)
    .toFormatter(ResolverStyle.SMART)
    .withLocale(Locale.US);
}

export type PatternKind = 'instant' | 'localDateTime';

/**
 * Formats 1970-01-01T00:00:00Z with the formatter and parses it back: an
 * instant means the pattern carries a zone; a date with an hour means a
 * local date-time read as UTC; anything else cannot give a timestamp.
 */
export function patternKind(formatter: DateTimeFormatter): PatternKind | null {
  try {
    // The region `UTC` rather than the offset `Z`: js-joda prints the
    // offset's id `Z` for `z`, which its own `z` parser then refuses.
    const epoch = ZonedDateTime.ofInstant(Instant.EPOCH, ZoneId.of('UTC'));
    const parsed = formatter.parse(formatter.format(epoch));
    if (parsed.isSupported(ChronoField.INSTANT_SECONDS)) return 'instant';
    if (parsed.isSupported(ChronoField.EPOCH_DAY)
      && parsed.isSupported(ChronoField.HOUR_OF_DAY)) return 'localDateTime';
    return null;
  } catch {
    return null;
  }
}

/** A resolved parse to epoch ms, as Elasticsearch converts it; or null. */
function resolveToMillis(
  formatter: DateTimeFormatter, kind: PatternKind, text: string,
): number | null {
  try {
    const parsed = formatter.parse(text);
    if (kind === 'instant') return Instant.from(parsed).toEpochMilli();
    return LocalDateTime.from(parsed).toInstant(ZoneOffset.UTC).toEpochMilli();
  } catch {
    return null;
  }
}

const FAST_LETTERS = new Set(['y', 'M', 'd', 'H', 'm', 's', 'S', 'Z', 'X',
  'x']);
const OFFSET_LETTERS = new Set(['Z', 'X', 'x']);
const MAX_CACHED_DATES = 4096;
const MAX_OFFSET_SEC = 18 * 3600;

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

/**
 * Whether records can take the cached path: only numeric date and time
 * fields, month names and numeric offsets, with a day and an hour, so that
 * the result is the cached date's start plus the time of day minus offset.
 */
function allowsCachedPath(pattern: string, kind: PatternKind): boolean {
  const letters = patternLetters(pattern);
  if (letters === null) return false;
  for (const letter of letters) if (!FAST_LETTERS.has(letter)) return false;
  if (!letters.has('M') || !letters.has('d') || !letters.has('H')) {
    return false;
  }
  if (letters.has('s') && !letters.has('m')) return false;
  if (letters.has('S') && !letters.has('s')) return false;
  const hasOffset = [...letters].some((letter) => OFFSET_LETTERS.has(letter));
  return hasOffset === (kind === 'instant');
}

function fieldOr(
  parsed: TemporalAccessor, field: ChronoField, fallback: number,
): number {
  return parsed.isSupported(field) ? parsed.get(field) : fallback;
}

/**
 * A parser for one pattern, decided once per upload. Records of one file
 * mostly share their date, so the start of each date (in ms, offset
 * removed) is cached by its year, month and day; a record then costs one
 * unresolved js-joda parse, which is several times cheaper than a resolved
 * one. Anything unusual (out-of-range fields, a zone id, a date seen for
 * the first time) goes through the full js-joda resolution.
 */
export function createPatternParser(
  pattern: string, options: PatternParserOptions,
): (text: string) => number | null {
  let formatter: DateTimeFormatter;
  try {
    formatter = buildFormatter(pattern, options.nowMs);
  } catch {
    return () => null;
  }
  const kind = patternKind(formatter);
  if (kind === null) return () => null;
  if (options.cache === false || !allowsCachedPath(pattern, kind)) {
    return (text) => resolveToMillis(formatter, kind, text);
  }

  const dateStarts = new Map<number, number>();
  const position = new ParsePosition(0);
  let lastText = '';
  let lastMillis: number | null = null;

  const parseUncached = (text: string): number | null => {
    position.setIndex(0);
    position.setErrorIndex(-1);
    const parsed = formatter.parseUnresolved(text, position);
    if (parsed === null || position.getErrorIndex() >= 0
      || position.getIndex() !== text.length) return null;

    const year = fieldOr(parsed, ChronoField.YEAR_OF_ERA, -1);
    const month = fieldOr(parsed, ChronoField.MONTH_OF_YEAR, -1);
    const day = fieldOr(parsed, ChronoField.DAY_OF_MONTH, -1);
    const hour = fieldOr(parsed, ChronoField.HOUR_OF_DAY, -1);
    const minute = fieldOr(parsed, ChronoField.MINUTE_OF_HOUR, 0);
    const second = fieldOr(parsed, ChronoField.SECOND_OF_MINUTE, 0);
    const nano = fieldOr(parsed, ChronoField.NANO_OF_SECOND, 0);
    const offsetSec = fieldOr(parsed, ChronoField.OFFSET_SECONDS, 0);
    const ordinary = year >= 1 && year <= 9999 && month >= 1 && month <= 12
      && day >= 1 && day <= 31 && hour >= 0 && hour <= 23
      && minute >= 0 && minute <= 59 && second >= 0 && second <= 59
      && nano >= 0 && nano <= 999_999_999
      // Java refuses offsets beyond ±18:00 when it resolves the instant.
      && Math.abs(offsetSec) <= MAX_OFFSET_SEC;
    if (!ordinary) return resolveToMillis(formatter, kind, text);

    const timeMs = ((hour * 60 + minute) * 60 + second) * 1000
      + Math.floor(nano / 1_000_000) - offsetSec * 1000;
    const dateKey = (year * 100 + month) * 100 + day;
    const dateStart = dateStarts.get(dateKey);
    if (dateStart !== undefined) return dateStart + timeMs;

    const millis = resolveToMillis(formatter, kind, text);
    if (millis === null) return null;
    if (dateStarts.size >= MAX_CACHED_DATES) dateStarts.clear();
    dateStarts.set(dateKey, millis - timeMs);
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
