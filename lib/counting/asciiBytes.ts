/**
 * Tests and conversions on ASCII codes, shared by every part of the core
 * that reads bytes or character codes: the JSON and CSV readers, the fast
 * path and the time parsers.
 */

export const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** The value of a hexadecimal digit in either case; -1 for anything else. */
export function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x57;
  return -1;
}

export const isHexDigit = (c: number): boolean => hexValue(c) >= 0;

/** JSON's whitespace: space, line feed, carriage return and tab. */
export const isSpace = (c: number): boolean =>
  c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * The bytes as Latin-1 text, one character per byte, which for ASCII is
 * the text itself. One call into the runtime instead of a string built
 * character by character.
 */
export function latin1Text(
  bytes: Uint8Array, start: number, end: number,
): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1', start, end);
}
