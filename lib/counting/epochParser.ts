/**
 * `epoch` and `epoch_ms` time values (spec §4.3): the text is read with the
 * grammar of Java's `Double.valueOf`, truncated toward zero to a 64-bit
 * integer, and for `epoch` multiplied by 1000 with 64-bit wrap-around.
 *
 * Results are JS numbers. Up to 2^53 they are the exact Java `long`; beyond
 * that (more than 285,000 years from 1970) they are the Java `long` rounded
 * to the nearest double. The wrap and the saturation are computed exactly
 * with BigInt before that rounding, so only the last digits can differ.
 */
import { hexValue, isDigit } from './asciiBytes.js';

const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;
const TWO_POW_63 = 9223372036854775808;
/** Below this many seconds, seconds × 1000 stays exact in a double. */
const SAFE_SECONDS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

/** Parses Java `Double.valueOf` text; NaN result is NaN, failure is null. */
export function parseJavaDouble(text: string): number | null {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start += 1;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end -= 1;
  if (start === end) return null;

  let i = start;
  let negative = false;
  const signChar = text.charCodeAt(i);
  if (signChar === 43 || signChar === 45) {
    negative = signChar === 45;
    i += 1;
  }

  const rest = text.slice(i, end);
  if (rest === 'NaN') return NaN;
  if (rest === 'Infinity') return negative ? -Infinity : Infinity;
  const hex = rest[0] === '0' && (rest[1] === 'x' || rest[1] === 'X');
  if (hex) {
    const magnitude = parseHexFloat(rest, 2);
    if (magnitude === null) return null;
    return negative ? -magnitude : magnitude;
  }

  const magnitude = parseDecimal(text, i, end);
  if (magnitude === null) return null;
  return negative ? -magnitude : magnitude;
}

/** `digits [. digits] [e [sign] digits] [fFdD]`, at least one digit. */
function parseDecimal(text: string, from: number, to: number): number | null {
  let i = from;
  let digits = 0;
  while (i < to && isDigit(text.charCodeAt(i))) { i += 1; digits += 1; }
  if (i < to && text.charCodeAt(i) === 46) {
    i += 1;
    while (i < to && isDigit(text.charCodeAt(i))) { i += 1; digits += 1; }
  }
  if (digits === 0) return null;

  if (i < to && (text[i] === 'e' || text[i] === 'E')) {
    i += 1;
    if (i < to && (text[i] === '+' || text[i] === '-')) i += 1;
    let exponentDigits = 0;
    while (i < to && isDigit(text.charCodeAt(i))) {
      i += 1;
      exponentDigits += 1;
    }
    if (exponentDigits === 0) return null;
  }

  const numberEnd = i;
  if (i < to && isTypeSuffix(text[i])) i += 1;
  if (i !== to) return null;

  // The grammar is checked above; JS Number reads that grammar with the same
  // round-to-nearest as Java.
  return Number(text.slice(from, numberEnd));
}

/** `hex [. hex] p [sign] digits [fFdD]` after `0x`, at least one hex digit. */
function parseHexFloat(text: string, from: number): number | null {
  let i = from;
  let mantissa = 0n;
  let hexDigits = 0;
  let fractionDigits = 0;
  let inFraction = false;
  for (; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '.' && !inFraction) { inFraction = true; continue; }
    const value = hexValue(text.charCodeAt(i));
    if (value < 0) break;
    mantissa = mantissa * 16n + BigInt(value);
    hexDigits += 1;
    if (inFraction) fractionDigits += 1;
  }
  if (hexDigits === 0) return null;
  if (text[i] !== 'p' && text[i] !== 'P') return null;
  i += 1;

  let exponentSign = 1;
  if (text[i] === '+' || text[i] === '-') {
    exponentSign = text[i] === '-' ? -1 : 1;
    i += 1;
  }
  const exponentStart = i;
  while (i < text.length && isDigit(text.charCodeAt(i))) i += 1;
  if (i === exponentStart) return null;
  const exponentText = text.slice(exponentStart, i);
  if (i < text.length && isTypeSuffix(text[i])) i += 1;
  if (i !== text.length) return null;

  const binaryExponent = exponentSign * Math.min(Number(exponentText), 1e5)
    - 4 * fractionDigits;
  return scaleByPowerOfTwo(Number(mantissa), binaryExponent);
}

/** x × 2^e in steps, so no intermediate power of two over- or underflows. */
function scaleByPowerOfTwo(x: number, exponent: number): number {
  let value = x;
  let e = exponent;
  while (e > 1000 && value !== 0 && Number.isFinite(value)) {
    value *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000 && value !== 0) {
    value *= 2 ** -1000;
    e += 1000;
  }
  return value * 2 ** e;
}

/**
 * Java's `(long) d`: truncation toward zero, NaN to 0, saturation at the
 * `long` range. Returned as a BigInt only when the double is out of the safe
 * range; otherwise as a number (never -0).
 */
function truncateToLong(value: number): number | bigint {
  if (Number.isNaN(value)) return 0;
  if (value >= TWO_POW_63) return LONG_MAX;
  if (value <= -TWO_POW_63) return LONG_MIN;
  const truncated = Math.trunc(value);
  if (truncated === 0) return 0;
  if (Math.abs(truncated) <= Number.MAX_SAFE_INTEGER) return truncated;
  return BigInt(truncated);
}

/** `epoch`: seconds to ms, with Java's 64-bit wrap beyond the long range. */
export function parseEpochSeconds(text: string): number | null {
  const value = parseJavaDouble(text);
  if (value === null) return null;

  const seconds = truncateToLong(value);
  if (typeof seconds === 'number' && Math.abs(seconds) <= SAFE_SECONDS) {
    return seconds * 1000;
  }
  return Number(BigInt.asIntN(64, BigInt(seconds) * 1000n));
}

/** `epoch_ms`: milliseconds as they are, truncated and saturated. */
export function parseEpochMillis(text: string): number | null {
  const value = parseJavaDouble(text);
  if (value === null) return null;

  const millis = truncateToLong(value);
  return typeof millis === 'number' ? millis : Number(millis);
}

function isTypeSuffix(ch: string | undefined): boolean {
  return ch === 'f' || ch === 'F' || ch === 'd' || ch === 'D';
}

