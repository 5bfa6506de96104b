/**
 * Byte scanners of the fast record path (jsonFastPath.ts). Each takes the
 * position just past a value's first byte and returns the position just
 * past the value, or FAIL when the value is anything the fast path leaves
 * to the exact tokenizer: the exact path then reads the record again from
 * its start, so a FAIL is never wrong, only slower.
 *
 * What they accept is a subset of what the exact tokenizer accepts with
 * the same meaning; running out of bytes is a FAIL too.
 */
import { isDigit, isHexDigit, isSpace } from './asciiBytes.js';
import { utf8Needed } from './jsonBytes.js';

export const FAIL = -1;

const QUOTE = 0x22;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;

/** Position of the first byte at or after `p` that is not whitespace. */
export function skipSpace(buf: Uint8Array, p: number, end: number): number {
  let at = p;
  while (at < end && isSpace(buf[at])) at += 1;
  return at;
}

/**
 * A string of printable ASCII with no escape, the only kind whose text the
 * fast path hands on (its bytes are its characters).
 */
export function scanPlainString(
  buf: Uint8Array, p: number, end: number,
): number {
  let at = p;
  while (at < end) {
    const c = buf[at];
    if (c === QUOTE) return at + 1;
    if (c < 0x20 || c >= 0x80 || c === BACKSLASH) return FAIL;
    at += 1;
  }
  return FAIL;
}

/**
 * A string that nobody reads: escapes and multi-byte characters are
 * checked as the exact tokenizer checks them when it skips a string.
 */
export function scanString(buf: Uint8Array, p: number, end: number): number {
  let at = p;
  while (at < end) {
    const c = buf[at++];
    if (c === QUOTE) return at;
    if (c === BACKSLASH) {
      at = scanEscape(buf, at, end);
      if (at < 0) return FAIL;
    } else if (c < 0x20) {
      return FAIL;
    } else if (c >= 0x80) {
      at = scanUtf8Tail(buf, at, end, c);
      if (at < 0) return FAIL;
    }
  }
  return FAIL;
}

function scanEscape(buf: Uint8Array, p: number, end: number): number {
  if (p >= end) return FAIL;
  switch (buf[p]) {
    case QUOTE: case BACKSLASH: case 0x2f:
    case 0x62: case 0x74: case 0x6e: case 0x66: case 0x72:
      return p + 1;
    case 0x75:
      if (p + 5 > end) return FAIL;
      for (let k = 1; k <= 4; k += 1) {
        if (!isHexDigit(buf[p + k])) return FAIL;
      }
      return p + 5;
    default:
      return FAIL;
  }
}

function scanUtf8Tail(
  buf: Uint8Array, p: number, end: number, lead: number,
): number {
  const needed = utf8Needed(lead);
  if (needed < 0 || p + needed > end) return FAIL;
  for (let k = 0; k < needed; k += 1) {
    if ((buf[p + k] & 0xc0) !== 0x80) return FAIL;
  }
  return p + needed;
}

/**
 * A number by the JSON grammar the exact tokenizer applies (no leading
 * zeros, digits after a dot and after an exponent). `p` is just past the
 * first byte, which was a minus or a digit.
 */
export function scanNumber(buf: Uint8Array, p: number, end: number): number {
  let at = p;
  let c = buf[p - 1];
  if (c === MINUS) {
    if (at >= end) return FAIL;
    c = buf[at++];
    if (!isDigit(c)) return FAIL;
  }
  if (c === ZERO) {
    if (at < end && isDigit(buf[at])) return FAIL;
  } else {
    while (at < end && isDigit(buf[at])) at += 1;
  }
  if (at < end && buf[at] === DOT) {
    at += 1;
    const from = at;
    while (at < end && isDigit(buf[at])) at += 1;
    if (at === from) return FAIL;
  }
  if (at < end && (buf[at] | 0x20) === 0x65) {
    at += 1;
    if (at < end && (buf[at] === MINUS || buf[at] === 0x2b)) at += 1;
    const from = at;
    while (at < end && isDigit(buf[at])) at += 1;
    if (at === from) return FAIL;
  }
  // A number must be followed by something; at the window's end more
  // digits might still come.
  return at < end ? at : FAIL;
}

/** The rest of `true`, `false` or `null`, whose first byte was read. */
export function scanWord(
  buf: Uint8Array, p: number, end: number, word: string,
): number {
  const last = p + word.length - 1;
  if (last > end) return FAIL;
  for (let k = 1; k < word.length; k += 1) {
    if (buf[p + k - 1] !== word.charCodeAt(k)) return FAIL;
  }
  return last;
}

/** A number or literal whose first byte `c` was read; FAIL otherwise. */
export function scanScalar(
  buf: Uint8Array, p: number, end: number, c: number,
): number {
  if (c === 0x74) return scanWord(buf, p, end, 'true');
  if (c === 0x66) return scanWord(buf, p, end, 'false');
  if (c === 0x6e) return scanWord(buf, p, end, 'null');
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return scanNumber(buf, p, end);
  return FAIL;
}

/** A value nobody reads: any scalar, or an array of scalars. */
export function skipValue(
  buf: Uint8Array, p: number, end: number, c: number, level: number,
  maxDepth: number,
): number {
  if (c === QUOTE) return scanString(buf, p, end);
  if (c !== OPEN_ARRAY) return scanScalar(buf, p, end, c);
  if (level + 2 > maxDepth) return FAIL;

  let at = skipSpace(buf, p, end);
  if (at < end && buf[at] === CLOSE_ARRAY) return at + 1;
  for (;;) {
    if (at >= end) return FAIL;
    const first = buf[at++];
    at = first === QUOTE ? scanString(buf, at, end)
      : scanScalar(buf, at, end, first);
    if (at < 0) return FAIL;
    at = skipSpace(buf, at, end);
    if (at >= end) return FAIL;
    const next = buf[at++];
    if (next === CLOSE_ARRAY) return at;
    if (next !== COMMA) return FAIL;
    at = skipSpace(buf, at, end);
  }
}
