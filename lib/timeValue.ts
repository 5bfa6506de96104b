/**
 * Elasticsearch time values such as `5m`, `3600s` or `30d`, as job
 * settings and API key expirations write them.
 */
import { MlError } from './errors.js';

const MS_PER_UNIT: Readonly<Record<string, number>> = {
  nanos: 1e-6, micros: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
  d: 86_400_000,
};

const TIME_VALUE = /^(-?\d+)(nanos|micros|ms|s|m|h|d)$/;

/**
 * `raw` in ms (possibly fractional for `nanos` and `micros`, negative
 * for a leading `-`: the caller decides what a negative value means).
 * Case and surrounding spaces are ignored, as in Elasticsearch. Fractions
 * such as `1.5h` are refused: Elasticsearch accepts them with a warning,
 * which matters only to a value written that way.
 */
export function parseTimeValue(setting: string, raw: string): number {
  const parts = TIME_VALUE.exec(raw.trim().toLowerCase());
  if (parts === null) {
    throw new MlError(400, 'parse_exception',
      `failed to parse setting [${setting}] with value [${raw}] as a time `
        + 'value: unit is missing or unrecognized');
  }
  return Number(parts[1]) * MS_PER_UNIT[parts[2]];
}
