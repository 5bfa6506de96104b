/**
 * The time parser of a job's `time_format` (spec §4.2): chosen once per
 * upload, then called for every record.
 */
import { parseEpochMillis, parseEpochSeconds } from './epochParser.js';
import {
  buildFormatter, createPatternParser, patternKind,
} from './datePattern.js';

/** A parser from captured time text to epoch ms; null when invalid. */
export type TimeParser = (text: string) => number | null;

export interface TimeParserOptions {
  /**
   * Wall clock in epoch ms. Only its UTC year is read, for patterns without
   * a year; the core reads no clock itself, so without it that year is 1970.
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
 * instant or to a date with at least an hour.
 */
export function isValidTimeFormat(timeFormat: string): boolean {
  if (timeFormat === 'epoch' || timeFormat === 'epoch_ms') return true;
  try {
    return patternKind(buildFormatter(timeFormat, 0)) !== null;
  } catch {
    return false;
  }
}
