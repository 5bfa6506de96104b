/**
 * Time values read straight from the bytes of a record, for the plain
 * shapes that make up nearly every upload: `epoch` and `epoch_ms` as bare
 * digits, and patterns of fixed-width numbers, numeric offsets and English
 * month and day names (timeSteps.ts), such as `yyyy-MM-dd'T'HH:mm:ssZ` or
 * `dd/MMM/yyyy:HH:mm:ss Z`. Anything else answers `undefined`, and the
 * caller asks the text parser of timeParser.ts, whose answer is the rule;
 * these shortcuts only ever give the number that parser would give.
 */
import { latin1Text } from './asciiBytes.js';
import {
  DateStarts, dateKey, isPlainDate, isPlainTime, timeOfDayMs,
} from './dateStarts.js';
import type { TimeParser } from './timeParser.js';
import {
  DAY_NAMES, MONTH_NAMES, OP_DAY, OP_DAY_NAME, OP_HOUR, OP_LITERAL,
  OP_MINUTE, OP_MONTH, OP_MONTH_NAME, OP_NANO, OP_OFFSET, OP_OFFSET_COLON,
  OP_SECOND, OP_YEAR, compilePattern, type NameTable, type Step,
} from './timeSteps.js';

/** Epoch ms, null for an invalid date, undefined to ask the text parser. */
export type ByteTimeParser = (
  bytes: Uint8Array, start: number, end: number,
) => number | null | undefined;

/** With 12 digits, seconds × 1000 stays below 2^53 (spec §4.3). */
export const MAX_SECONDS_DIGITS = 12;
export const MAX_MILLIS_DIGITS = 15;

const deferAll: ByteTimeParser = () => undefined;

export function createByteTimeParser(
  timeFormat: string, textParser: TimeParser,
): ByteTimeParser {
  if (timeFormat === 'epoch') {
    return (bytes, start, end) => {
      const seconds = plainInteger(bytes, start, end, MAX_SECONDS_DIGITS);
      return seconds === undefined ? undefined : seconds * 1000;
    };
  }
  if (timeFormat === 'epoch_ms') {
    return (bytes, start, end) =>
      plainInteger(bytes, start, end, MAX_MILLIS_DIGITS);
  }
  const steps = compilePattern(timeFormat);
  return steps === null ? deferAll : patternParser(steps, textParser);
}

/**
 * An optional minus and 1 to `maxDigits` digits, as an integer (never
 * -0); undefined for anything else, even text Java would accept.
 */
export function plainInteger(
  bytes: Uint8Array, start: number, end: number, maxDigits: number,
): number | undefined {
  let i = start;
  const negative = i < end && bytes[i] === 0x2d;
  if (negative) i += 1;
  if (i === end || end - i > maxDigits) return undefined;
  let value = 0;
  for (; i < end; i += 1) {
    const digit = bytes[i] - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return negative && value !== 0 ? -value : value;
}

/** Where each field is kept while a record is read: numbers by their op. */
const F_OFFSET = OP_OFFSET;
const F_DAY_OF_WEEK = OP_OFFSET_COLON;
const FIELD_COUNT = OP_NANO + 3;

/**
 * Reads the steps from the bytes; a date seen for the first time goes
 * through the text parser once, which fixes the start of that date (in ms,
 * offset removed), so resolution rules stay the text parser's.
 *
 * When the pattern opens with its whole date (before any time of day), a
 * time whose leading bytes equal those of the last date read only has its
 * time of day read: the day changes rarely within an upload.
 */
function patternParser(steps: Step[], textParser: TimeParser):
  ByteTimeParser {
  const dateStarts = new DateStarts();
  const ops = Int32Array.from(steps, (s) => s.op);
  const widths = Int32Array.from(steps, (s) => s.width);
  const literals = Int32Array.from(steps, (s) => s.byte);
  // A field is read only after a step of this record set it, or it has
  // no step and keeps its value from here: minute, second, fraction,
  // offset and day of week 0, and without a year 1, which stands in the
  // cache key for the text parser's default year.
  const fields = new Int32Array(FIELD_COUNT);
  if (!steps.some((s) => s.op === OP_YEAR)) fields[OP_YEAR] = 1;
  const dateSteps = datePrefix(steps);
  // With no names every step has a fixed width: a time of any other length
  // is not ours, and the steps need no bounds checks of their own.
  const hasNames = steps.some((s) => s.width === 0);
  const totalWidth = hasNames ? -1
    : steps.reduce((sum, s) => sum + s.width, 0);
  const lastDate = new Uint8Array(steps.slice(0, dateSteps)
    .reduce((sum, s) => sum + maxWidth(s), 0));
  let lastDateLength = -1;
  let lastDateKey = -1;
  let lastDateStart = 0;

  const sameDate = (bytes: Uint8Array, start: number, end: number) => {
    const length = lastDateLength;
    if (length < 0 || start + length > end) return false;
    for (let i = 0; i < length; i += 1) {
      if (bytes[start + i] !== lastDate[i]) return false;
    }
    return true;
  };

  return (bytes, start, end) => {
    if (!hasNames && end - start !== totalWidth) return undefined;
    const cached = sameDate(bytes, start, end);
    let k = cached ? dateSteps : 0;
    let p = cached ? start + lastDateLength : start;
    let dateEnd = p;
    // Up to the end of the date first (unless it was skipped), to note
    // where it ends, then the rest.
    let stop = cached ? ops.length : dateSteps;
    for (;; k += 1) {
      if (k === stop) {
        if (stop === ops.length) break;
        dateEnd = p;
        stop = ops.length;
        if (k === stop) break;
      }
      const op = ops[k];
      if (op === OP_LITERAL) {
        if (p >= end || bytes[p] !== literals[k]) return undefined;
        p += 1;
      } else if (op >= OP_MONTH_NAME) {
        p = readNameStep(bytes, p, end, op, fields);
        if (p < 0) return undefined;
      } else {
        const width = widths[k];
        if (p + width > end) return undefined;
        if (op === OP_OFFSET || op === OP_OFFSET_COLON) {
          const offset = readOffset(bytes, p, op === OP_OFFSET_COLON);
          if (offset === undefined) return undefined;
          fields[F_OFFSET] = offset;
        } else {
          const value = readDigits(bytes, p, width);
          if (value < 0) return undefined;
          fields[op] = op === OP_NANO ? value * 10 ** (9 - width) : value;
        }
        p += width;
      }
    }
    if (p !== end) return undefined;

    const hour = fields[OP_HOUR];
    const minute = fields[OP_MINUTE];
    const second = fields[OP_SECOND];
    const nano = fields[OP_NANO];
    const offsetSec = fields[F_OFFSET];
    if (!isPlainTime(hour, minute, second, nano, offsetSec)) return undefined;
    const timeMs = timeOfDayMs(hour, minute, second, nano, offsetSec);
    if (cached) return lastDateStart + timeMs;

    const year = fields[OP_YEAR];
    const month = fields[OP_MONTH];
    const day = fields[OP_DAY];
    if (!isPlainDate(year, month, day)) return undefined;
    const key = dateKey(year, month, day, fields[F_DAY_OF_WEEK]);
    let dateStart = key === lastDateKey ? lastDateStart : dateStarts.get(key);
    if (dateStart === undefined) {
      const millis = textParser(latin1Text(bytes, start, end));
      if (millis === null) return null;
      dateStart = millis - timeMs;
      dateStarts.set(key, dateStart);
    }
    lastDateKey = key;
    lastDateStart = dateStart;
    if (dateSteps > 0) {
      lastDateLength = dateEnd - start;
      for (let i = 0; i < lastDateLength; i += 1) {
        lastDate[i] = bytes[start + i];
      }
    }
    return dateStart + timeMs;
  };
}

function maxWidth(step: Step): number {
  if (step.op === OP_MONTH_NAME) return (MONTH_NAMES as NameTable).longest;
  if (step.op === OP_DAY_NAME) return (DAY_NAMES as NameTable).longest;
  return step.width;
}

/**
 * How many leading steps hold the whole date and nothing of the time of
 * day; none when the date is not all up front.
 */
function datePrefix(steps: Step[]): number {
  const seen = new Set<number>();
  let count = 0;
  while (count < steps.length) {
    const op = steps[count].op;
    const isDatePart = op === OP_LITERAL || op === OP_YEAR
      || op === OP_MONTH || op === OP_DAY || op === OP_MONTH_NAME
      || op === OP_DAY_NAME;
    if (!isDatePart) break;
    seen.add(op === OP_MONTH_NAME ? OP_MONTH : op);
    count += 1;
  }
  const hasYear = steps.some((s) => s.op === OP_YEAR);
  const whole = seen.has(OP_MONTH) && seen.has(OP_DAY)
    && (!hasYear || seen.has(OP_YEAR))
    && (!steps.some((s) => s.op === OP_DAY_NAME) || seen.has(OP_DAY_NAME));
  return whole ? count : 0;
}

/** A month or day name at `p` into its field: the position after it. */
function readNameStep(
  bytes: Uint8Array, p: number, end: number, op: number, fields: Int32Array,
): number {
  const table = (op === OP_MONTH_NAME ? MONTH_NAMES : DAY_NAMES) as NameTable;
  const name = readName(bytes, p, end, table);
  if (name < 0) return -1;
  fields[op === OP_MONTH_NAME ? OP_MONTH : F_DAY_OF_WEEK] = table.values[name];
  return p + table.texts[name].length;
}

/**
 * The first of the names, longest first, that the bytes at `p` start
 * with, as lenient js-joda reads them (case-sensitive); -1 when none is.
 */
function readName(
  bytes: Uint8Array, p: number, end: number, table: NameTable,
): number {
  const { texts } = table;
  for (let i = 0; i < texts.length; i += 1) {
    const text = texts[i];
    const length = text.length;
    if (p + length > end || bytes[p] !== text[0]) continue;
    let j = 1;
    while (j < length && bytes[p + j] === text[j]) j += 1;
    if (j === length) return i;
  }
  return -1;
}

function readDigits(bytes: Uint8Array, p: number, width: number): number {
  let value = 0;
  for (let i = p; i < p + width; i += 1) {
    const digit = bytes[i] - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** `+HHMM` or `+HH:MM` (either sign) in seconds. */
function readOffset(
  bytes: Uint8Array, p: number, colon: boolean,
): number | undefined {
  const sign = bytes[p];
  if (sign !== 0x2b && sign !== 0x2d) return undefined;
  const hours = readDigits(bytes, p + 1, 2);
  if (colon && bytes[p + 3] !== 0x3a) return undefined;
  const minutes = readDigits(bytes, colon ? p + 4 : p + 3, 2);
  if (hours < 0 || minutes < 0 || minutes > 59) return undefined;
  const seconds = (hours * 60 + minutes) * 60;
  return sign === 0x2d ? -seconds : seconds;
}
