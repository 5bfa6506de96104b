/**
 * The date cache of both pattern parsers (datePattern.ts for text,
 * timeBytes.ts for bytes), and the rules of when they may use it.
 *
 * Records of one upload mostly share their date, so the start of each date
 * (in ms, offset removed) is kept under its year, month, day and day of
 * week; a record whose fields are all in their plain ranges is then that
 * start plus its time of day minus its offset, with no resolution of its
 * own. Everything else is resolved by js-joda, whose answer is the rule.
 */

/** Java's ZoneOffset refuses offsets beyond ±18:00 when it resolves. */
export const MAX_OFFSET_SEC = 18 * 3600;

/** An upload rarely spans this many dates; beyond, the cache starts over. */
const MAX_CACHED_DATES = 4096;

/**
 * Letters whose fields a cached record is made of: year of era, month
 * (number or name), day of month, day of week (name), hour of day,
 * minute, second, fraction and numeric offsets.
 */
const CACHED_LETTERS = new Set(['y', 'M', 'd', 'E', 'H', 'm', 's', 'S',
  'Z', 'X', 'x']);

/**
 * Whether records of a pattern with these letters (outside quotes) may
 * take a cached path: only the letters above, with a month, a day and an
 * hour, and no second without a minute or fraction without a second, so
 * that the date and the time of day are all there is to resolve. Without
 * a year, every date is in the parser's default year.
 */
export function mayCacheDates(letters: ReadonlySet<string>): boolean {
  for (const letter of letters) if (!CACHED_LETTERS.has(letter)) return false;
  if (!letters.has('M') || !letters.has('d') || !letters.has('H')) {
    return false;
  }
  if (letters.has('s') && !letters.has('m')) return false;
  return !letters.has('S') || letters.has('s');
}

/** A date whose start a cache may hold; others are resolved each time. */
export function isPlainDate(year: number, month: number, day: number):
  boolean {
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12
    && day >= 1 && day <= 31;
}

/**
 * A time of day and offset that add to a date's start as they are; hour
 * 24, second 60 or an offset Java refuses go through resolution.
 */
export function isPlainTime(
  hour: number, minute: number, second: number, nano: number,
  offsetSec: number,
): boolean {
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59
    && second >= 0 && second <= 59 && nano >= 0 && nano <= 999_999_999
    && Math.abs(offsetSec) <= MAX_OFFSET_SEC;
}

/** Milliseconds into the date, offset removed. */
export function timeOfDayMs(
  hour: number, minute: number, second: number, nano: number,
  offsetSec: number,
): number {
  return ((hour * 60 + minute) * 60 + second) * 1000
    + Math.floor(nano / 1_000_000) - offsetSec * 1000;
}

/**
 * One small integer per date and day of week (0 when the pattern has
 * none; a day of week that does not fit the date fails to resolve, so it
 * is never cached): below 2^31, so the map keys stay small integers.
 */
export function dateKey(
  year: number, month: number, day: number, dayOfWeek: number,
): number {
  return ((year * 100 + month) * 100 + day) * 8 + dayOfWeek;
}

/** Date starts in ms by dateKey, for one parser. */
export class DateStarts {
  private readonly starts = new Map<number, number>();

  get(key: number): number | undefined {
    return this.starts.get(key);
  }

  set(key: number, startMs: number): void {
    if (this.starts.size >= MAX_CACHED_DATES) this.starts.clear();
    this.starts.set(key, startMs);
  }
}
