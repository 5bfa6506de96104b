/**
 * Finds where complete top-level JSON objects end in a byte stream, so a
 * file can be cut between records and never inside one. It only follows
 * brackets and strings; the server does the real parsing.
 *
 * A record is a top-level object, or an object that is an element of a
 * top-level array. Structural characters are ASCII, so bytes of multi-byte
 * UTF-8 characters (all >= 0x80) can never be mistaken for them.
 */

export interface RecordEnd {
  /** Absolute offset right after the record's closing brace. */
  end: number;
  /**
   * Where the next part may start: after the newline that follows the
   * record when only blanks lie between, else `end`.
   */
  cut: number;
  /** Absolute offset of the record's opening brace. */
  start: number;
  /** Whether the record is an element of a top-level array. */
  inArray: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d;
}

export class JsonBoundaries {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Inside a top-level array: its elements sit at depth 1. */
  private inArray = false;
  private recordStart = -1;
  /** The last record ended and only blanks followed so far. */
  private pending: RecordEnd | undefined;

  /**
   * `offset` is the absolute position of `chunk[0]`. Calls `onRecord`
   * once per record, when its cut point is known.
   */
  scan(
    chunk: Uint8Array, offset: number, onRecord: (end: RecordEnd) => void,
  ): void {
    for (let i = 0; i < chunk.length; i += 1) {
      const byte = chunk[i];
      if (this.inString) {
        this.stringByte(byte);
        continue;
      }
      if (this.pending !== undefined) {
        if (isBlank(byte)) continue;
        const record = this.pending;
        this.pending = undefined;
        if (byte === NEWLINE) {
          onRecord({ ...record, cut: offset + i + 1 });
          continue;
        }
        onRecord(record);
      }
      this.structuralByte(byte, offset + i);
    }
  }

  /** Reports a record still waiting for what follows it. */
  finish(onRecord: (end: RecordEnd) => void): void {
    if (this.pending !== undefined) onRecord(this.pending);
    this.pending = undefined;
  }

  private stringByte(byte: number): void {
    if (this.escaped) {
      this.escaped = false;
    } else if (byte === BACKSLASH) {
      this.escaped = true;
    } else if (byte === QUOTE) {
      this.inString = false;
    }
  }

  private structuralByte(byte: number, at: number): void {
    const base = this.inArray ? 1 : 0;
    switch (byte) {
      case QUOTE:
        this.inString = true;
        return;
      case OPEN_ARRAY:
        if (this.depth === 0) this.inArray = true;
        this.depth += 1;
        return;
      case OPEN_OBJECT:
        if (this.depth === base) this.recordStart = at;
        this.depth += 1;
        return;
      case COMMA:
        // A comma between top-level values: reading started inside an
        // array, as when a run resumes in the middle of one.
        if (this.depth === 0) {
          this.inArray = true;
          this.depth = 1;
        }
        return;
      case CLOSE_ARRAY:
      case CLOSE_OBJECT:
        this.close(byte, at, base);
        return;
      default:
    }
  }

  private close(byte: number, at: number, base: number): void {
    if (this.depth === 0) return;
    this.depth -= 1;
    if (this.inArray && this.depth === 0) {
      this.inArray = false;
      return;
    }
    if (byte !== CLOSE_OBJECT || this.depth !== base) return;
    if (this.recordStart < 0) return;

    this.pending = {
      start: this.recordStart, end: at + 1, cut: at + 1,
      inArray: this.inArray,
    };
    this.recordStart = -1;
  }
}
