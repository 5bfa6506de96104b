/**
 * Elasticsearch time values such as `5m`, `3600s` or `30d`, as job
 * settings, request timeouts and API key expirations write them, read by
 * the rules of Elasticsearch's TimeValue.parseTimeValue.
 */
import { MlError } from './errors.js';

/**
 * Suffixes in the order they are tried: `ms` before `s` and `m`, so that
 * `5ms` is milliseconds. All but `m` are matched without regard to case;
 * `m` must be lower case, because `M` means months elsewhere.
 */
const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['nanos', 1e-6], ['micros', 1e-3], ['ms', 1], ['s', 1000], ['m', 60_000],
  ['h', 3_600_000], ['d', 86_400_000],
];

/** What Java's Long.parseLong takes: a sign, then decimal digits. */
const LONG = /^[+-]?\d+$/;
const LONG_MAX = 2n ** 63n - 1n;
const LONG_MIN = -(2n ** 63n);

/**
 * What Java's Double.parseDouble takes, less hexadecimal forms (a time
 * value written as `0x1p3s` gets the plainer `failed to parse` message).
 */
const DOUBLE = /^[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?[fd]?)$/i;

/**
 * `raw` in ms (possibly fractional for `nanos` and `micros`). Case and
 * surrounding spaces are ignored except for `m`; `-1` and `0` need no
 * unit; below `-1` is refused; the caller decides what a negative value
 * means. Fractions such as `1.5h` are refused, as Elasticsearch 7 and
 * later refuse them.
 */
export function parseTimeValue(setting: string, raw: string): number {
  const normalized = raw.trim().toLowerCase();
  for (const [suffix, msPerUnit] of UNITS) {
    const matches = suffix === 'm'
      ? raw.endsWith('m') : normalized.endsWith(suffix);
    if (!matches) continue;
    const number = normalized.slice(0, normalized.length - suffix.length);
    return parseAmount(setting, raw, number.trim()) * msPerUnit;
  }

  if (/^-0*1$/.test(normalized)) return -1;
  if (/^0+$/.test(normalized)) return 0;
  throw timeValueError(`failed to parse setting [${setting}] with value `
    + `[${raw}] as a time value: unit is missing or unrecognized`);
}

function parseAmount(setting: string, raw: string, text: string): number {
  if (!LONG.test(text) || !fitsLong(text)) {
    throw timeValueError(DOUBLE.test(text)
      ? `failed to parse [${raw}], fractional time values are not supported`
      : `failed to parse [${raw}]`);
  }

  const amount = Number(text);
  // -1 means "no value" to Elasticsearch; any other negative is refused.
  if (amount < -1) throw new NegativeTimeValueError(setting, raw);
  return amount === 0 ? 0 : amount; // no -0 from `-0s`
}

/** A value below -1, which Elasticsearch 8 refuses in every setting. */
export class NegativeTimeValueError extends MlError {
  constructor(setting: string, raw: string) {
    super(400, 'parse_exception', `failed to parse setting [${setting}] `
      + `with value [${raw}] as a time value: negative durations are not `
      + 'supported');
  }
}

function fitsLong(text: string): boolean {
  const value = BigInt(text);
  return value >= LONG_MIN && value <= LONG_MAX;
}

function timeValueError(reason: string): MlError {
  return new MlError(400, 'parse_exception', reason);
}
