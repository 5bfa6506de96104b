/**
 * The time parser of a job's `time_format` (spec §4.2): chosen once per
 * upload, then called for every record.
 */
import { parseEpochMillis, parseEpochSeconds } from './epochParser.js';
import { compileDatePattern, createPatternParser } from './datePattern.js';

/** A parser from captured time text to epoch ms; null when invalid. */
export type TimeParser = (text: string) => number | null;

export interface TimeParserOptions {
  /**
   * Wall clock in epoch ms. Only its UTC year is read: the default year of
   * a pattern, which fills in a pattern without one and conflicts with a
   * `uuuu` or `YYYY` year other than it. The core reads no clock itself,
   * so without it that year is 1970.
   */
  nowMs?: number;
}

export function createTimeParser(
  timeFormat: string, options: TimeParserOptions = {},
): TimeParser {
  if (timeFormat === 'epoch') return parseEpochSeconds;
  if (timeFormat === 'epoch_ms') return parseEpochMillis;
  return createPatternParser(timeFormat, { nowMs: options.nowMs ?? 0 });
}

/**
 * Whether a `time_format` can give a full timestamp (spec §4.4): `epoch`,
 * `epoch_ms`, or a pattern that round-trips 1970-01-01T00:00:00Z to an
 * instant or to a date with at least an hour, with the formatter that
 * record parsing builds for the same `nowMs`.
 */
export function isValidTimeFormat(
  timeFormat: string, options: TimeParserOptions = {},
): boolean {
  if (timeFormat === 'epoch' || timeFormat === 'epoch_ms') return true;
  return compileDatePattern(timeFormat, options.nowMs ?? 0) !== null;
}
