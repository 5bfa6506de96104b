/**
 * Byte-level helpers shared by the JSON tokenizer: control-flow signals,
 * UTF-8 decoding with the parser's own rules and Java's identifier classes
 * (the original uses them to decide how much of a bad token to swallow).
 */
import { isDigit } from './asciiBytes.js';

/** Thrown (never as an Error, so no stack is captured) on a syntax error. */
export const SYNTAX_ERROR = { signal: 'syntax' } as const;
/** Thrown when the held bytes end before the answer is known. */
export const NEED_MORE = { signal: 'need-more' } as const;

// Java's Character.isJavaIdentifierStart / isJavaIdentifierPart. The
// Unicode tables of the JVM and of V8 may differ for recently assigned
// characters; that only moves where a malformed token stops.
const IDENTIFIER_START = /[\p{L}\p{Nl}\p{Sc}\p{Pc}]/u;
const IDENTIFIER_PART =
  /[\p{L}\p{Nl}\p{Sc}\p{Pc}\p{Nd}\p{Mn}\p{Mc}\p{Cf}\x00-\x08\x0e-\x1b\x7f-\x9f]/u;

export function isJavaIdentifierStart(code: number): boolean {
  return IDENTIFIER_START.test(String.fromCharCode(code));
}

export function isJavaIdentifierPart(code: number): boolean {
  if (code < 0x80) {
    return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a)
      || isDigit(code) || code === 0x5f || code === 0x24 || code <= 0x08
      || (code >= 0x0e && code <= 0x1b) || code === 0x7f;
  }
  return IDENTIFIER_PART.test(String.fromCharCode(code));
}

/** How many continuation bytes a lead byte announces; -1 if not a lead. */
export function utf8Needed(lead: number): number {
  if ((lead & 0xe0) === 0xc0) return 1;
  if ((lead & 0xf0) === 0xe0) return 2;
  if ((lead & 0xf8) === 0xf0) return 3;
  return -1;
}

/**
 * Decodes UTF-8 as the original's byte parser does: no check for overlong
 * forms or encoded surrogates, and code points above U+FFFF become a
 * surrogate pair by plain bit arithmetic. The bytes must already have been
 * validated for lead and continuation shapes.
 */
export function decodeUtf8(
  bytes: Uint8Array, start: number, end: number,
): string {
  let out = '';
  let units: number[] = [];
  let i = start;
  while (i < end) {
    const lead = bytes[i++];
    if (lead < 0x80) {
      units.push(lead);
    } else {
      const needed = utf8Needed(lead);
      let code = lead & (needed === 1 ? 0x1f : needed === 2 ? 0x0f : 0x07);
      for (let k = 0; k < needed; k += 1) {
        code = (code << 6) | (bytes[i++] & 0x3f);
      }
      if (needed < 3) {
        units.push(code);
      } else {
        const c = code - 0x10000;
        units.push(0xd800 | (c >> 10), 0xdc00 | (c & 0x3ff));
      }
    }
    if (units.length >= 4096) {
      out += String.fromCharCode(...units);
      units = [];
    }
  }
  return out + String.fromCharCode(...units);
}

/** Appends the UTF-8 form of one UTF-16 code unit, as the original does. */
export function encodeUnit(code: number, into: number[]): void {
  if (code < 0x80) {
    into.push(code);
  } else if (code < 0x800) {
    into.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
  } else {
    into.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f),
      0x80 | (code & 0x3f));
  }
}
