/**
 * Time parameters of post data and flush (spec §1.2 and §8.4): `reset_start`,
 * `reset_end`, and flush's `start`, `end`, `advance_time`, `skip_time`.
 */
import { LocalDateTime, ZoneOffset } from '@js-joda/core';
import { MlError } from '../errors.js';
import type { FlushParams, ResetRange } from './types.js';

/** The name a time parameter goes by in its error message. */
export type TimeParamName = 'start' | 'end' | 'advance_time' | 'skip_time';

/** A range of whole seconds, end exclusive. */
export interface TimeWindowSec {
  startSec: number;
  endSec: number;
}

export interface FlushRequest {
  calcInterim: boolean;
  /** The interim results range; null unless `start` was given. */
  interim: TimeWindowSec | null;
  advanceTimeSec?: number;
  skipTimeSec?: number;
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Java `Long.parseLong`: optional sign, ASCII digits, nothing else. */
const LONG_TEXT = /^[+-]?[0-9]+$/;

/**
 * `strict_date_optional_time`: a four-digit year, then optionally month,
 * day, `T` and hour, minutes, seconds, a fraction of 1-9 digits, and an
 * offset (`Z`, `+01`, `+0100`, `+01:00`) after the time. Region ids such as
 * `[Europe/Paris]` are not accepted here; Elasticsearch accepts them, which
 * matters only to a caller who writes reset times with a zone name.
 */
const ISO_DATE = new RegExp('^(\\d{4})(?:-(\\d{2})(?:-(\\d{2})'
  + '(?:T(\\d{2})(?::(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?)?'
  + '(Z|[+-]\\d{2}(?::?\\d{2})?)?)?)?)?$');

/**
 * Converts one time parameter to epoch ms (spec §1.2.1): `now`, an integer
 * (seconds when at most 10 characters, else ms) or an ISO date. A value
 * that is none of these, or before 1970, is a 400 `parse_exception`.
 */
export function parseTimeParam(
  name: TimeParamName, raw: string, nowMs: number,
): number {
  if (raw === 'now') return nowMs;

  const ms = LONG_TEXT.test(raw) ? epochFromInteger(raw) : epochFromDate(raw);
  if (ms === null || ms < 0) throw unparsableTime(name, raw);
  return ms;
}

/**
 * The reset window of a post data (spec §1.2.2), or null when no reset was
 * asked for. `reset_end` is checked even when it is given alone.
 */
export function parseResetRange(
  range: ResetRange, nowMs: number,
): TimeWindowSec | null {
  return parseWindow(range.start, range.end, nowMs);
}

/** Validates flush parameters in the order of spec §8.4. */
export function parseFlushParams(
  params: FlushParams, nowMs: number,
): FlushRequest {
  const interim = parseWindow(params.start, params.end, nowMs);
  const calcInterim = params.calcInterim ?? false;
  if (!calcInterim && given(params.start)) {
    throw invalidFlush("unexpected 'start'");
  }
  if (!calcInterim && given(params.end)) throw invalidFlush("unexpected 'end'");
  if (calcInterim && !given(params.start) && given(params.end)) {
    throw invalidFlush("'start' has not been specified");
  }

  const advanceTimeSec = optionalSeconds('advance_time', params.advanceTime,
    nowMs);
  const skipTimeSec = optionalSeconds('skip_time', params.skipTime, nowMs);
  if (advanceTimeSec !== undefined && skipTimeSec !== undefined
    && advanceTimeSec <= skipTimeSec) {
    throw new MlError(400, 'status_exception',
      `advance_time [${params.advanceTime}] must be later than `
        + `skip_time [${params.skipTime}]`);
  }

  return { calcInterim, interim, advanceTimeSec, skipTimeSec };
}

function parseWindow(
  start: string | undefined, end: string | undefined, nowMs: number,
): TimeWindowSec | null {
  const startSec = given(start) ? toSeconds('start', start, nowMs) : null;
  const endSec = given(end) ? toSeconds('end', end, nowMs) : null;
  if (startSec === null) return null;

  if (endSec === null || endSec === startSec) {
    return { startSec, endSec: startSec + 1 };
  }
  if (endSec < startSec) {
    // Elasticsearch answers this with a 500; here it is the caller's
    // mistake and a 400 (DESIGN.md, deliberate differences).
    throw new MlError(400, 'illegal_argument_exception',
      `Invalid time range: end time '${end}' is earlier than start time `
        + `'${start}'.`);
  }
  return { startSec, endSec };
}

function optionalSeconds(
  name: TimeParamName, raw: string | undefined, nowMs: number,
): number | undefined {
  return given(raw) ? toSeconds(name, raw, nowMs) : undefined;
}

/** Whole seconds, truncated: the value is never negative here. */
function toSeconds(name: TimeParamName, raw: string, nowMs: number): number {
  return Math.floor(parseTimeParam(name, raw, nowMs) / 1000);
}

const given = (raw: string | undefined): raw is string =>
  raw !== undefined && raw !== '';

function epochFromInteger(raw: string): number | null {
  const value = BigInt(raw);
  if (value < LONG_MIN || value > LONG_MAX) return epochFromDate(raw);
  // Ten characters hold every second up to the year 2286; longer text is
  // taken as milliseconds. The sign counts toward the length.
  return raw.trim().length <= 10 ? Number(value) * 1000 : Number(value);
}

function epochFromDate(raw: string): number | null {
  const parts = ISO_DATE.exec(raw);
  if (parts === null) return null;

  const [, year, month, day, hour, minute, second, fraction, offset] = parts;
  try {
    const local = LocalDateTime.of(
      Number(year), Number(month ?? 1), Number(day ?? 1),
      Number(hour ?? 0), Number(minute ?? 0), Number(second ?? 0),
      Number((fraction ?? '').padEnd(9, '0')));
    return local.toInstant(offsetOf(offset)).toEpochMilli();
  } catch {
    // Out-of-range fields such as February 30 or hour 24.
    return null;
  }
}

function offsetOf(text: string | undefined): ZoneOffset {
  if (text === undefined || text === 'Z') return ZoneOffset.UTC;
  const sign = text.startsWith('-') ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  return ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
}

function unparsableTime(name: TimeParamName, raw: string): MlError {
  return new MlError(400, 'parse_exception',
    `Query param [${name}] with value [${raw}] cannot be parsed as a date `
      + 'or converted to a number (epoch).');
}

function invalidFlush(detail: string): MlError {
  // A 500 in Elasticsearch; a 400 here (DESIGN.md, deliberate differences).
  return new MlError(400, 'illegal_argument_exception',
    `Invalid flush parameters: ${detail}.`);
}
