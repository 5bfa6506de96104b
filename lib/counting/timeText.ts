/**
 * Times and counters as Elasticsearch prints them, for any value a Java
 * `long` of milliseconds can take. The core holds them as doubles: exact
 * up to 2^53, the nearest double beyond (epochParser.ts).
 */

const TWO_POW_63 = 2 ** 63;
/** 400 Gregorian years of 146,097 days, in ms. */
const ERA_MS = 146_097n * 86_400_000n;

/**
 * A number of a response as JSON text, for the writer of responses. A
 * time saturated at Java's long range (`epoch_ms` of `Infinity`, `1e20`
 * or 9223372036854775807) is ±2^63 here, which JSON.stringify prints as
 * 9223372036854776000; Elasticsearch prints Long.MAX_VALUE (or MIN_VALUE).
 * Other whole numbers beyond 2^53 get all their digits, not a rounded
 * form. (The longs within 512 below Long.MAX_VALUE are 2^63 here too;
 * only the 64-bit wrap of `epoch` seconds × 1000 gives one.)
 */
export function jsonNumberText(value: number): string {
  if (value === TWO_POW_63) return '9223372036854775807';
  if (value === -TWO_POW_63) return '-9223372036854775808';
  if (Number.isSafeInteger(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < TWO_POW_63) {
    return BigInt(value).toString();
  }
  return JSON.stringify(value);
}

/**
 * The `<name>_string` companion of a time in epoch ms (spec §3.5):
 * Elasticsearch's `strict_date_optional_time` in UTC, with milliseconds,
 * `2014-06-23T00:00:00.000Z`. A year of more than four digits gets a sign,
 * `+10000-01-01T00:00:00.000Z`, and a year before 0 a minus and at least
 * four digits, as Java prints them, for times far beyond what a JavaScript
 * Date (±275,760 years) or js-joda (±999,999 years) holds: a long of ms
 * reaches ±292 million years.
 */
export function isoTimeText(ms: number): string {
  const exact = ms >= TWO_POW_63 ? 9223372036854775807n
    : ms <= -TWO_POW_63 ? -9223372036854775808n : BigInt(Math.trunc(ms));
  // Dates repeat every 400 years, so the time is moved by whole 400-year
  // eras into the years 1970 to 2369, where a Date prints it.
  let eras = exact / ERA_MS;
  if (exact < eras * ERA_MS) eras -= 1n;
  const date = new Date(Number(exact - eras * ERA_MS));
  const year = date.getUTCFullYear() + 400 * Number(eras);
  const sign = year < 0 ? '-' : year > 9999 ? '+' : '';
  const digits = String(Math.abs(year)).padStart(4, '0');
  return `${sign}${digits}${date.toISOString().slice(4)}`;
}
