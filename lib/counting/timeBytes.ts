/**
 * Time values read straight from the bytes of a record, for the plain
 * shapes that make up nearly every upload: `epoch` and `epoch_ms` as bare
 * digits, and fixed-width numeric patterns such as
 * `yyyy-MM-dd'T'HH:mm:ssZ`. Anything else answers `undefined`, and the
 * caller asks the text parser of timeParser.ts, whose answer is the rule;
 * these shortcuts only ever give the number that parser would give.
 */
import { latin1Text } from './asciiBytes.js';
import type { TimeParser } from './timeParser.js';

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

/** One piece of a compiled pattern. */
interface Step {
  kind: 'number' | 'fraction' | 'offset' | 'literal';
  /** For numbers: which field; for offsets: 'HHMM' or 'HH:MM'. */
  field: string;
  width: number;
  /** For literals: the byte to match. */
  byte: number;
}

const NUMBER_RUNS: Record<string, string> = {
  yyyy: 'year', MM: 'month', dd: 'day', HH: 'hour', mm: 'minute',
  ss: 'second',
};
const OFFSET_RUNS: Record<string, string> = {
  Z: 'HHMM', ZZ: 'HHMM', ZZZ: 'HHMM', XX: 'HHMM', xx: 'HHMM',
  XXX: 'HH:MM', xxx: 'HH:MM',
};

/**
 * The pattern as fixed-width steps, or null when it has anything else.
 * Each number must be followed by a non-digit literal, an offset or the
 * end, so that reading exactly its width is what a lenient parser reads.
 */
export function compilePattern(pattern: string): Step[] | null {
  const steps: Step[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (j < pattern.length && pattern[j] === ch) j += 1;
      const step = letterStep(pattern.slice(i, j));
      if (step === null) return null;
      steps.push(step);
      i = j;
    } else if (ch === "'") {
      const end = pattern.indexOf("'", i + 1);
      // Quoted quotes and empty quotes are left to the text parser.
      if (end <= i + 1) return null;
      for (const lit of pattern.slice(i + 1, end)) steps.push(literal(lit));
      i = end + 1;
    } else {
      if ('[]{}#'.includes(ch)) return null;
      steps.push(literal(ch));
      i += 1;
    }
  }
  return isReadable(steps) ? steps : null;
}

function letterStep(run: string): Step | null {
  const field = NUMBER_RUNS[run];
  if (field !== undefined) {
    return { kind: 'number', field, width: run.length, byte: 0 };
  }
  const offset = OFFSET_RUNS[run];
  if (offset !== undefined) {
    return { kind: 'offset', field: offset, width: offset.length + 1,
      byte: 0 };
  }
  if (/^S{1,9}$/.test(run)) {
    return { kind: 'fraction', field: 'nano', width: run.length, byte: 0 };
  }
  return null;
}

function literal(ch: string): Step {
  return { kind: 'literal', field: '', width: 1, byte: ch.charCodeAt(0) };
}

function isReadable(steps: Step[]): boolean {
  const fields = new Set(steps.map((s) => s.field));
  for (const needed of ['year', 'month', 'day', 'hour']) {
    if (!fields.has(needed)) return false;
  }
  if (fields.has('nano') && !fields.has('second')) return false;
  if (fields.has('second') && !fields.has('minute')) return false;
  if (steps.filter((s) => s.kind === 'offset').length > 1) return false;
  return steps.every((step, k) => {
    if (step.kind === 'literal') {
      return step.byte < 0x80 && (step.byte < 0x30 || step.byte > 0x39);
    }
    const next = steps[k + 1];
    if (next === undefined || next.kind === 'literal') return true;
    return step.kind !== 'offset' && next.kind === 'offset';
  });
}

const MAX_CACHED_DATES = 4096;

/**
 * Reads the steps from the bytes; a date seen for the first time goes
 * through the text parser once, which fixes the start of that date (in ms,
 * offset removed), so resolution rules stay the text parser's.
 *
 * When the pattern opens with its whole date (year, month and day before
 * any time of day), a time whose leading bytes equal the last date read
 * only has its time of day read: the day changes rarely within an upload.
 */
function patternParser(steps: Step[], textParser: TimeParser):
  ByteTimeParser {
  const dateStarts = new Map<number, number>();
  let lastDateKey = -1;
  let lastDateStart = 0;
  const ops = Int32Array.from(steps, opOf);
  const widths = Int32Array.from(steps, (s) => s.width);
  const literals = Int32Array.from(steps, (s) => s.byte);
  const fields = new Int32Array(OP_COUNT);
  const totalWidth = steps.reduce((sum, s) => sum + s.width, 0);
  const { stepCount: dateSteps, byteCount: dateBytes } = datePrefix(ops,
    widths);
  const lastDate = new Uint8Array(dateBytes);

  const sameDate = (bytes: Uint8Array, start: number): boolean => {
    if (dateSteps === 0 || lastDateKey < 0) return false;
    for (let i = 0; i < dateBytes; i += 1) {
      if (bytes[start + i] !== lastDate[i]) return false;
    }
    return true;
  };

  return (bytes, start, end) => {
    // Every step has a fixed width, so any other length is not ours.
    if (end - start !== totalWidth) return undefined;
    const cached = sameDate(bytes, start);
    let k = cached ? dateSteps : 0;
    let p = cached ? start + dateBytes : start;
    // Minute, second, fraction and offset default to 0; year, month, day
    // and hour are always in the pattern.
    fields[OP_MINUTE] = 0;
    fields[OP_SECOND] = 0;
    fields[OP_NANO] = 0;
    fields[OP_OFFSET] = 0;
    for (; k < ops.length; k += 1) {
      const width = widths[k];
      const op = ops[k];
      if (op === OP_LITERAL) {
        if (bytes[p] !== literals[k]) return undefined;
      } else if (op === OP_OFFSET || op === OP_OFFSET_COLON) {
        const offset = readOffset(bytes, p, op === OP_OFFSET_COLON);
        if (offset === undefined) return undefined;
        fields[OP_OFFSET] = offset;
      } else {
        const value = readDigits(bytes, p, width);
        if (value < 0) return undefined;
        fields[op] = op === OP_NANO ? value * 10 ** (9 - width) : value;
      }
      p += width;
    }
    const hour = fields[OP_HOUR];
    const minute = fields[OP_MINUTE];
    const second = fields[OP_SECOND];
    if (hour > 23 || minute > 59 || second > 59) return undefined;
    const timeMs = ((hour * 60 + minute) * 60 + second) * 1000
      + Math.floor(fields[OP_NANO] / 1_000_000) - fields[OP_OFFSET] * 1000;
    if (cached) return lastDateStart + timeMs;

    const year = fields[OP_YEAR];
    const month = fields[OP_MONTH];
    const day = fields[OP_DAY];
    const ordinary = year >= 1 && month >= 1 && month <= 12 && day >= 1
      && day <= 31;
    if (!ordinary) return undefined;
    const dateKey = (year * 100 + month) * 100 + day;
    let dateStart = dateKey === lastDateKey ? lastDateStart
      : dateStarts.get(dateKey);
    if (dateStart === undefined) {
      const millis = textParser(latin1Text(bytes, start, end));
      if (millis === null) return null;
      dateStart = millis - timeMs;
      if (dateStarts.size >= MAX_CACHED_DATES) dateStarts.clear();
      dateStarts.set(dateKey, dateStart);
    }
    lastDateKey = dateKey;
    lastDateStart = dateStart;
    for (let i = 0; i < dateBytes; i += 1) lastDate[i] = bytes[start + i];
    return dateStart + timeMs;
  };
}

/**
 * The leading steps that hold the whole date and nothing of the time of
 * day, and their width in bytes; none when the date is not all up front.
 */
function datePrefix(ops: Int32Array, widths: Int32Array):
  { stepCount: number; byteCount: number } {
  let stepCount = 0;
  let byteCount = 0;
  const seen = new Set<number>();
  while (stepCount < ops.length) {
    const op = ops[stepCount];
    const isDatePart = op === OP_LITERAL || op === OP_YEAR
      || op === OP_MONTH || op === OP_DAY;
    if (!isDatePart) break;
    seen.add(op);
    byteCount += widths[stepCount];
    stepCount += 1;
  }
  const whole = seen.has(OP_YEAR) && seen.has(OP_MONTH) && seen.has(OP_DAY);
  return whole ? { stepCount, byteCount } : { stepCount: 0, byteCount: 0 };
}

const OP_LITERAL = 0;
const OP_YEAR = 1;
const OP_MONTH = 2;
const OP_DAY = 3;
const OP_HOUR = 4;
const OP_MINUTE = 5;
const OP_SECOND = 6;
const OP_NANO = 7;
const OP_OFFSET = 8;
const OP_OFFSET_COLON = 9;
const OP_COUNT = 10;

const FIELD_OPS: Record<string, number> = {
  year: OP_YEAR, month: OP_MONTH, day: OP_DAY, hour: OP_HOUR,
  minute: OP_MINUTE, second: OP_SECOND, nano: OP_NANO,
};

function opOf(step: Step): number {
  if (step.kind === 'literal') return OP_LITERAL;
  if (step.kind === 'offset') {
    return step.field === 'HH:MM' ? OP_OFFSET_COLON : OP_OFFSET;
  }
  return FIELD_OPS[step.field];
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

/** `+HHMM` or `+HH:MM` (either sign) in seconds; hours up to 17. */
function readOffset(
  bytes: Uint8Array, p: number, colon: boolean,
): number | undefined {
  const sign = bytes[p];
  if (sign !== 0x2b && sign !== 0x2d) return undefined;
  const hours = readDigits(bytes, p + 1, 2);
  if (colon && bytes[p + 3] !== 0x3a) return undefined;
  const minutes = readDigits(bytes, colon ? p + 4 : p + 3, 2);
  if (hours < 0 || hours > 17 || minutes < 0 || minutes > 59) {
    return undefined;
  }
  const seconds = (hours * 60 + minutes) * 60;
  return sign === 0x2d ? -seconds : seconds;
}
