/**
 * The input window of the JSON tokenizer and its string handling: skipping
 * a string that nobody reads, decoding one that is captured, and field
 * names. On an error the bytes up to and including the offending one are
 * consumed, as in the original.
 */
import { hexValue } from './asciiBytes.js';
import {
  NEED_MORE, SYNTAX_ERROR, decodeUtf8, encodeUnit, utf8Needed,
} from './jsonBytes.js';

const EMPTY = new Uint8Array(0);

export class JsonStrings {
  protected buf: Uint8Array = EMPTY;
  /** Position of the next byte to read, relative to `buf`. */
  protected pos = 0;
  protected end = 0;
  protected final = false;
  /** Offset of `buf[0]` in the whole stream. */
  base = 0;
  /** Stream offset of the saved state. */
  savedPos = 0;
  /** The current string token's content has not been read yet. */
  protected incomplete = false;
  protected stringText = '';
  private view: Buffer = Buffer.alloc(0);
  private scratch: number[] = [];

  /** Points the tokenizer at new bytes; `base` is the offset of bytes[0]. */
  setInput(bytes: Uint8Array, base: number, length: number,
    final: boolean): void {
    this.pos = this.base + this.pos - base;
    this.buf = bytes;
    this.base = base;
    this.end = length;
    this.final = final;
    this.view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Stream offset of the next byte to read. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** The byte at a stream offset inside the current window. */
  byteAt(offset: number): number {
    return this.buf[offset - this.base];
  }

  skipBytes(count: number): void {
    this.pos += count;
  }

  protected latin1(start: number, end: number): string {
    return this.view.toString('latin1', start, end);
  }

  /** One byte, where the end of input is an error. */
  protected requireByte(): number {
    if (this.pos < this.end) return this.buf[this.pos++];
    if (this.final) throw SYNTAX_ERROR;
    throw NEED_MORE;
  }

  /**
   * Decodes one character for an error message, reading its continuation
   * bytes; returns it as a UTF-16 unit (truncated, as a Java char cast is).
   */
  protected decodeCharForError(first: number): number {
    if (first < 0x80) return first;
    const needed = utf8Needed(first);
    if (needed < 0) throw SYNTAX_ERROR;
    let code = first & (needed === 1 ? 0x1f : needed === 2 ? 0x0f : 0x07);
    for (let k = 0; k < needed; k += 1) {
      const d = this.requireByte();
      if ((d & 0xc0) !== 0x80) throw SYNTAX_ERROR;
      code = (code << 6) | (d & 0x3f);
    }
    return code & 0xffff;
  }

  /** Checks the continuation bytes of a multi-byte character. */
  protected skipUtf8(lead: number): void {
    const needed = utf8Needed(lead);
    if (needed < 0) throw SYNTAX_ERROR;
    for (let k = 0; k < needed; k += 1) {
      if ((this.requireByte() & 0xc0) !== 0x80) throw SYNTAX_ERROR;
    }
  }

  /** Skips the rest of a string whose opening quote was read. */
  protected skipString(): void {
    const { buf } = this;
    for (;;) {
      const end = this.end;
      let p = this.pos;
      // Plain printable ASCII is the common case: scan it in a tight loop.
      while (p < end) {
        const c = buf[p];
        if (c === 0x22 || c === 0x5c || c < 0x20 || c >= 0x80) break;
        p += 1;
      }
      this.pos = p;
      const c = this.requireByte();
      if (c === 0x22) return;
      if (c === 0x5c) this.decodeEscape();
      else if (c < 0x20) throw SYNTAX_ERROR;
      else this.skipUtf8(c);
    }
  }

  /** Reads the rest of a string whose opening quote was read. */
  protected readString(): string {
    const start = this.pos;
    const { buf } = this;
    let p = start;
    while (p < this.end) {
      const c = buf[p];
      if (c === 0x22) {
        this.pos = p + 1;
        return this.latin1(start, p);
      }
      if (c === 0x5c || c < 0x20 || c >= 0x80) break;
      p += 1;
    }
    this.pos = start;
    return this.readStringSlowly();
  }

  private readStringSlowly(): string {
    const units = this.scratch;
    units.length = 0;
    for (;;) {
      const c = this.requireByte();
      if (c === 0x22) break;
      if (c === 0x5c) {
        units.push(this.decodeEscape());
      } else if (c < 0x20) {
        throw SYNTAX_ERROR;
      } else if (c < 0x80) {
        units.push(c);
      } else {
        const from = this.pos - 1;
        this.skipUtf8(c);
        const text = decodeUtf8(this.buf, from, this.pos);
        for (let i = 0; i < text.length; i += 1) {
          units.push(text.charCodeAt(i));
        }
      }
    }
    return unitsToString(units);
  }

  /** Decodes the escape after a backslash to one UTF-16 unit. */
  protected decodeEscape(): number {
    const c = this.requireByte();
    switch (c) {
      case 0x22: case 0x5c: case 0x2f:
        return c;
      case 0x62:
        return 0x08;
      case 0x74:
        return 0x09;
      case 0x6e:
        return 0x0a;
      case 0x66:
        return 0x0c;
      case 0x72:
        return 0x0d;
      case 0x75: {
        let value = 0;
        for (let k = 0; k < 4; k += 1) {
          const digit = hexValue(this.requireByte());
          if (digit < 0) throw SYNTAX_ERROR;
          value = (value << 4) | digit;
        }
        return value;
      }
      default:
        this.decodeCharForError(c);
        throw SYNTAX_ERROR;
    }
  }

  /**
   * Reads a field name starting at `c`. Control characters and bad escapes
   * fail on the spot; broken UTF-8 fails only once the closing quote has
   * been read, because the original validates names after collecting them.
   */
  protected parseName(c: number): string {
    if (c !== 0x22) {
      this.decodeCharForError(c);
      throw SYNTAX_ERROR;
    }
    const start = this.pos;
    const { buf } = this;
    let p = start;
    while (p < this.end) {
      const b = buf[p];
      if (b === 0x22) {
        this.pos = p + 1;
        return this.latin1(start, p);
      }
      if (b === 0x5c || b < 0x20 || b >= 0x80) break;
      p += 1;
    }
    return this.parseNameSlowly(start);
  }

  private parseNameSlowly(start: number): string {
    const bytes: number[] = [];
    this.pos = start;
    for (;;) {
      const b = this.requireByte();
      if (b === 0x22) break;
      if (b === 0x5c) encodeUnit(this.decodeEscape(), bytes);
      else if (b < 0x20) throw SYNTAX_ERROR;
      else bytes.push(b);
    }
    const raw = Uint8Array.from(bytes);
    for (let i = 0; i < raw.length;) {
      if (raw[i] < 0x80) {
        i += 1;
        continue;
      }
      const needed = utf8Needed(raw[i]);
      if (needed < 0 || i + needed >= raw.length) throw SYNTAX_ERROR;
      for (let k = 1; k <= needed; k += 1) {
        if ((raw[i + k] & 0xc0) !== 0x80) throw SYNTAX_ERROR;
      }
      i += needed + 1;
    }
    return decodeUtf8(raw, 0, raw.length);
  }
}

function unitsToString(units: number[]): string {
  let out = '';
  for (let i = 0; i < units.length; i += 4096) {
    out += String.fromCharCode(...units.slice(i, i + 4096));
  }
  return out;
}
