/**
 * The top-level names of the last record that the fast path had to look
 * up one by one. Records of one upload nearly always repeat their
 * predecessor's names in the same order, so comparing a name's bytes with
 * the name expected at its place replaces hashing it, checking it against
 * the object's other names and looking it up among the wanted fields.
 *
 * When that record was flat (no object values), `readFlat` reads a record
 * with exactly its names in one tight loop; anything else there is left
 * to the fast path's general loop, which reads the record from its start.
 */
import { isDigit, isSpace } from './asciiBytes.js';
import {
  FAIL, scanNumber, scanPlainString, scanScalar, scanString, skipValue,
} from './jsonFastScan.js';
import { ValueKind } from './recordSpans.js';

/** Records with more top-level names, or longer ones, are not cached. */
const MAX_NAMES = 64;
const MAX_BYTES = 2048;

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const CLOSE_OBJECT = 0x7d;

/** Where `readFlat` puts the wanted values it finds. */
export interface FlatTarget {
  readonly kinds: Uint8Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

export class RecordShape {
  /** Names in the shape; 0 when there is none. */
  count = 0;
  /** How many of the names are wanted fields. */
  wantedCount = 0;
  /** Path hash of each name (its path is the name itself at the top). */
  readonly hashes = new Int32Array(MAX_NAMES);
  /** Wanted-field index of each name, or -1. */
  readonly indexes = new Int32Array(MAX_NAMES);
  /** Each name with its closing quote, which ends the comparison. */
  private readonly bytes = new Uint8Array(MAX_BYTES);
  private readonly offsets = new Int32Array(MAX_NAMES + 1);
  /**
   * The same bytes as little-endian 32-bit words, for names of 4 bytes or
   * more: one per 4 bytes, the last one ending at the quote (it may
   * overlap the one before). Name `k` has words[wordStarts[k], [k + 1]).
   */
  private readonly words = new Int32Array(MAX_BYTES / 4 + MAX_NAMES);
  private readonly wordStarts = new Int32Array(MAX_NAMES + 1);
  /** The names of the record being read, as window positions. */
  private noted = 0;
  private readonly starts = new Int32Array(MAX_NAMES);
  private readonly ends = new Int32Array(MAX_NAMES);
  private readonly notedHashes = new Int32Array(MAX_NAMES);
  private readonly notedIndexes = new Int32Array(MAX_NAMES);

  /**
   * If the name starting at `p` (just past its quote) is name `k` of the
   * shape, the position just past its closing quote; -1 otherwise.
   */
  match(buf: Uint8Array, p: number, end: number, k: number): number {
    if (k >= this.count) return -1;
    const from = this.offsets[k];
    const length = this.offsets[k + 1] - from;
    if (p + length > end) return -1;
    const bytes = this.bytes;
    for (let i = 0; i < length; i += 1) {
      if (buf[p + i] !== bytes[from + i]) return -1;
    }
    return p + length;
  }

  /** Notes name `k` of the record being read. */
  note(k: number, start: number, end: number, hash: number, index: number):
    void {
    if (k >= MAX_NAMES) return;
    this.starts[k] = start;
    this.ends[k] = end;
    this.notedHashes[k] = hash;
    this.notedIndexes[k] = index;
    this.noted = k + 1;
  }

  /** Makes the `count` names noted from `buf` the shape. */
  adopt(buf: Uint8Array, count: number): void {
    this.count = 0;
    this.wantedCount = 0;
    if (count > MAX_NAMES || count !== this.noted) return;
    let at = 0;
    let wanted = 0;
    for (let k = 0; k < count; k += 1) {
      const length = this.ends[k] - this.starts[k];
      if (at + length + 1 > MAX_BYTES) return;
      this.offsets[k] = at;
      this.bytes.set(buf.subarray(this.starts[k], this.ends[k]), at);
      this.bytes[at + length] = QUOTE;
      at += length + 1;
      this.hashes[k] = this.notedHashes[k];
      this.indexes[k] = this.notedIndexes[k];
      if (this.notedIndexes[k] >= 0) wanted += 1;
    }
    this.offsets[count] = at;
    this.count = count;
    this.wantedCount = wanted;
    this.makeWords();
  }

  private makeWords(): void {
    const bytes = this.bytes;
    let w = 0;
    for (let k = 0; k < this.count; k += 1) {
      this.wordStarts[k] = w;
      const from = this.offsets[k];
      const length = this.offsets[k + 1] - from;
      if (length < 4) continue;
      for (let at = 0; at < length; at += 4) {
        const i = from + Math.min(at, length - 4);
        this.words[w] = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16)
          | (bytes[i + 3] << 24);
        w += 1;
      }
    }
    this.wordStarts[this.count] = w;
  }

  /**
   * Reads the root object at `start` (its `{`) if its members are the
   * shape's names in order, each with a scalar or an array of scalars,
   * and puts the wanted values in `target`; the position just past its
   * `}`, or FAIL for anything else, even a record the general loop would
   * read. The shape's names are distinct (the record they came from
   * passed the repeat check), so no name of such a record repeats.
   */
  readFlat(
    buf: Uint8Array, view: DataView, start: number, end: number,
    maxDepth: number, target: FlatTarget,
  ): number {
    const count = this.count;
    const offsets = this.offsets;
    let p = start + 1;
    for (let k = 0; k < count; k += 1) {
      // Each byte is first taken to be the one that usually comes there;
      // whitespace is looked for only when it is not.
      if (p >= end) return FAIL;
      if (buf[p] !== QUOTE) {
        p = nextByte(buf, p, end);
        if (p < 0 || buf[p] !== QUOTE) return FAIL;
      }
      p += 1;

      const length = offsets[k + 1] - offsets[k];
      if (p + length >= end) return FAIL;
      if (!this.nameAt(buf, view, p, k, length)) return FAIL;
      p += length;

      if (buf[p] !== COLON) {
        p = nextByte(buf, p, end);
        if (p < 0 || buf[p] !== COLON) return FAIL;
      }
      p += 1;
      if (p >= end) return FAIL;
      let c = buf[p];
      if (isSpace(c)) {
        p = nextByte(buf, p, end);
        if (p < 0) return FAIL;
        c = buf[p];
      }
      const index = this.indexes[k];
      if (index >= 0) {
        p = capture(buf, p + 1, end, c, index, target);
      } else {
        p = c === QUOTE ? scanString(buf, p + 1, end)
          : skipValue(buf, p + 1, end, c, 0, maxDepth);
      }
      if (p < 0 || p >= end) return FAIL;

      let separator = buf[p];
      if (isSpace(separator)) {
        p = nextByte(buf, p, end);
        if (p < 0) return FAIL;
        separator = buf[p];
      }
      p += 1;
      if (separator === CLOSE_OBJECT) return k === count - 1 ? p : FAIL;
      if (separator !== COMMA) return FAIL;
    }
    return FAIL;
  }

  /**
   * Whether name `k` and its closing quote, `length` bytes, start at `p`:
   * a word at a time, as most names are longer than 4 bytes.
   */
  private nameAt(
    buf: Uint8Array, view: DataView, p: number, k: number, length: number,
  ): boolean {
    const first = this.wordStarts[k];
    const last = this.wordStarts[k + 1] - 1;
    if (last < first) {
      const from = this.offsets[k];
      for (let i = 0; i < length; i += 1) {
        if (buf[p + i] !== this.bytes[from + i]) return false;
      }
      return true;
    }
    const words = this.words;
    for (let w = first; w < last; w += 1) {
      if (view.getInt32(p + 4 * (w - first), true) !== words[w]) return false;
    }
    return view.getInt32(p + length - 4, true) === words[last];
  }
}

/** The first non-space position at or after `p`, or FAIL at `end`. */
function nextByte(buf: Uint8Array, p: number, end: number): number {
  let at = p;
  while (at < end) {
    if (!isSpace(buf[at])) return at;
    at += 1;
  }
  return FAIL;
}

/**
 * A wanted scalar whose first byte `c` was read, as the fast path's
 * general loop captures it: a string's content or a literal's bytes.
 */
function capture(
  buf: Uint8Array, p: number, end: number, c: number, index: number,
  target: FlatTarget,
): number {
  let after: number;
  let kind: number;
  if (c === QUOTE) {
    after = scanPlainString(buf, p, end);
    if (after < 0) return FAIL;
    target.kinds[index] = ValueKind.STRING;
    target.starts[index] = p;
    target.ends[index] = after - 1;
    return after;
  }
  if (c >= 0x31 && c <= 0x39) {
    after = scanDecimal(buf, p, end);
    kind = ValueKind.NUMBER;
  } else {
    after = scanScalar(buf, p, end, c);
    kind = c === 0x74 ? ValueKind.TRUE : c === 0x66 ? ValueKind.FALSE
      : c === 0x6e ? ValueKind.NULL : ValueKind.NUMBER;
  }
  if (after < 0) return FAIL;
  target.kinds[index] = kind;
  target.starts[index] = p - 1;
  target.ends[index] = after;
  return after;
}

/**
 * A number whose first byte was a digit 1 to 9, as scanNumber reads it:
 * digits, maybe a dot and digits, then a byte that cannot go on with the
 * number. An exponent, or the end of the bytes, is left to scanNumber.
 */
function scanDecimal(buf: Uint8Array, p: number, end: number): number {
  let at = p;
  while (at < end && isDigit(buf[at])) at += 1;
  if (at < end && buf[at] === 0x2e) {
    at += 1;
    const from = at;
    while (at < end && isDigit(buf[at])) at += 1;
    if (at === from) return FAIL;
  }
  if (at >= end || (buf[at] | 0x20) === 0x65) return scanNumber(buf, p, end);
  return at;
}
