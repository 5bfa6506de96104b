/**
 * Splits delimited text into rows the way the original's CSV library did
 * (spec §11.6): lines end in LF, CRLF or CR; empty lines between rows are
 * skipped; a quote may open anywhere in a column and a doubled quote inside
 * quotes is one quote; a line break inside quotes becomes LF; a quoted
 * value may span at most 10,000 lines. Works on bytes, so the delimiter and
 * the quote must each be one byte (ASCII).
 *
 * A row is kept as bytes, its columns back to back, and a column becomes
 * text only when asked for: most columns of most rows are never read.
 */
import { NEED_MORE } from './jsonBytes.js';
import { quotedColumnTooLong, quotedColumnUnclosed } from './errors.js';

/** Lines a quoted value may span before the upload is refused. */
const MAX_LINES_PER_ROW = 10_000;

const LF = 0x0a;
const CR = 0x0d;

export class DelimitedRows {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  final = false;
  /** Lines consumed so far; the line being read is `linesRead + 1`. */
  linesRead = 0;
  /**
   * The columns of the last row, unquoted, back to back: column `k` is
   * `row[columnStart(k), columnEnds[k])`. Valid until the next row.
   */
  row = new Uint8Array(256);
  columnEnds = new Int32Array(16);
  /** How many columns the last row has; an empty column counts. */
  columnCount = 0;
  private rowLength = 0;
  /** Per column, non-zero when it has a byte of 0x80 or more. */
  private wide = new Uint8Array(16);
  private wideBits = 0;
  private rowView: Buffer = Buffer.alloc(0);
  // The original's reader keeps a byte order mark as a character, so a
  // BOM before the header becomes part of the first column's name.
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  constructor(private readonly delimiter: number,
    private readonly quote: number) {}

  /**
   * Reads one row into `columns`; false at the end of input. Throws
   * NEED_MORE when the row is not complete in the bytes held.
   */
  readRow(): boolean {
    this.skipEmptyLines();
    if (this.pos >= this.end) {
      if (this.final) return false;
      throw NEED_MORE;
    }
    this.columnCount = 0;
    this.rowLength = 0;
    this.wideBits = 0;
    let quotedFrom = 0;
    const { buf } = this;
    for (;;) {
      if (this.pos >= this.end) {
        if (!this.final) throw NEED_MORE;
        if (quotedFrom > 0) this.endQuotedLine(quotedFrom, this.linesRead + 1);
        this.finishColumn();
        return true;
      }
      const c = buf[this.pos];
      if (c === LF || c === CR) {
        this.skipLineEnd();
        if (quotedFrom === 0) {
          this.finishColumn();
          return true;
        }
        this.endQuotedLine(quotedFrom, this.linesRead);
        this.append(LF);
        continue;
      }
      this.pos += 1;
      if (quotedFrom === 0) {
        if (c === this.delimiter) this.finishColumn();
        else if (c === this.quote) quotedFrom = this.linesRead + 1;
        else this.append(c);
      } else if (c !== this.quote) {
        this.append(c);
      } else if (this.peek() === this.quote) {
        this.pos += 1;
        this.append(c);
      } else {
        quotedFrom = 0;
      }
    }
  }

  columnStart(k: number): number {
    return k === 0 ? 0 : this.columnEnds[k - 1];
  }

  /** Whether column `k` is ASCII, so that its bytes are its text. */
  isAscii(k: number): boolean {
    return this.wide[k] === 0;
  }

  /** The text of column `k` of the last row, decoded as UTF-8. */
  columnText(k: number): string {
    const start = this.columnStart(k);
    const end = this.columnEnds[k];
    if (this.wide[k] !== 0) {
      return this.decoder.decode(this.row.subarray(start, end));
    }
    if (this.rowView.buffer !== this.row.buffer) {
      this.rowView = Buffer.from(this.row.buffer, this.row.byteOffset,
        this.row.byteLength);
    }
    return this.rowView.toString('latin1', start, end);
  }

  /** Next byte without consuming it; -1 at the end of input. */
  private peek(): number {
    if (this.pos < this.end) return this.buf[this.pos];
    if (this.final) return -1;
    throw NEED_MORE;
  }

  private skipEmptyLines(): void {
    while (this.pos < this.end) {
      const c = this.buf[this.pos];
      if (c !== LF && c !== CR) return;
      this.skipLineEnd();
    }
  }

  /** Consumes LF, CR or CRLF at `pos`; a CR at the edge waits for more. */
  private skipLineEnd(): void {
    const c = this.buf[this.pos++];
    if (c === CR && this.peek() === LF) this.pos += 1;
    this.linesRead += 1;
  }

  /**
   * Line `line` ended inside quotes: too many lines fail first, then the
   * end of input, as in the original.
   */
  private endQuotedLine(quotedFrom: number, line: number): void {
    if (line - quotedFrom + 1 >= MAX_LINES_PER_ROW) {
      throw quotedColumnTooLong(quotedFrom, line);
    }
    if (this.pos >= this.end && this.final) {
      throw quotedColumnUnclosed(quotedFrom, line);
    }
  }

  private append(c: number): void {
    if (this.rowLength === this.row.length) {
      const grown = new Uint8Array(this.row.length * 2);
      grown.set(this.row);
      this.row = grown;
    }
    this.row[this.rowLength++] = c;
    this.wideBits |= c;
  }

  private finishColumn(): void {
    const k = this.columnCount;
    if (k === this.columnEnds.length) {
      const ends = new Int32Array(2 * k);
      ends.set(this.columnEnds);
      this.columnEnds = ends;
      const wide = new Uint8Array(2 * k);
      wide.set(this.wide);
      this.wide = wide;
    }
    this.columnEnds[k] = this.rowLength;
    this.wide[k] = this.wideBits & 0x80;
    this.wideBits = 0;
    this.columnCount = k + 1;
  }
}
