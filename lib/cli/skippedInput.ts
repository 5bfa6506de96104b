import { CliError } from './cliErrors.js';
import {
  edgeAt, headerLength, readTo, type Boundary, type Edge, type SplitFormat,
} from './recordFramer.js';

/**
 * The bytes before a resume offset: not sent, but read by the record
 * reader, so that the offset is checked to be a record boundary of the
 * file itself, and what the parts after it need is known (the CSV header,
 * whether they start inside an array). Reading from the start is the
 * only way into a gzip stream, and it keeps one path for every input.
 */

export interface SkipStep {
  /** Held bytes before this offset are not needed any more. */
  keepFrom: number;
  /** The CSV header, once it is known. */
  header?: Uint8Array;
  /** Where sending starts, once the offset is reached and checked. */
  start?: { offset: number; edge: Edge };
}

const CR = 0x0d;
const BLANKS = /^[ \t\r\n]*$/;

export class SkippedInput {
  /**
   * Where the reader started, fresh: a JSON reader starts afresh at each
   * record end outside an array, as the server reads each upload with a
   * fresh one (so its 100 recoverable errors count per upload there too).
   */
  private base = 0;
  /** The last boundary, relative to `base`. */
  private at: Boundary = { offset: 0 };
  /** When no record ended in the held bytes: try again at this many. */
  private retryAt = 0;
  private headerKnown: boolean;

  constructor(
    private readonly format: SplitFormat, readonly fromByte: number,
  ) {
    this.headerKnown = format.kind !== 'csv';
  }

  /** Whether `advance` has anything to do with these held bytes. */
  due(heldFrom: number, heldBytes: number, ended: boolean,
    maxBytes: number): boolean {
    return ended || heldFrom + heldBytes > this.fromByte
      || heldBytes > Math.max(maxBytes, this.retryAt);
  }

  /** `held` holds the input from offset `heldFrom` on. */
  advance(held: Buffer, heldFrom: number, ended: boolean): SkipStep {
    const heldEnd = heldFrom + held.length;
    const shift = this.base - heldFrom;
    const source = (a: number, b: number) =>
      held.subarray(a + shift, b + shift);
    const header = this.headerFrom(held, heldFrom);

    if (heldEnd < this.fromByte || (heldEnd === this.fromByte && !ended)) {
      if (ended) {
        throw new CliError(`--from-byte ${this.fromByte} is past the end `
          + `of the input (${heldEnd} bytes)`);
      }
      // Move on to the last record end, so the held bytes stay bounded.
      this.moveTo(readTo(this.format, source, this.at, heldEnd - this.base),
        held.length);
      return { keepFrom: this.base + this.at.offset, header };
    }

    const reached = this.reach(source, held, heldFrom);
    const byteAt = (i: number) => held[i + shift] ?? -1;
    const edge = edgeAt(this.format, reached, byteAt);
    if (edge !== undefined) {
      const start = { offset: this.fromByte, edge: edge.kind === 'root'
        ? edge : { kind: edge.kind, at: this.base + edge.at } };
      return { keepFrom: this.fromByte, header, start };
    }
    // A comma or bracket after the offset may come after these blanks.
    const after = held.subarray(this.fromByte - heldFrom);
    if (!ended && BLANKS.test(after.toString('latin1'))) {
      return { keepFrom: this.base + this.at.offset, header };
    }
    throw this.notBoundary();
  }

  /**
   * The reader's boundary at exactly `fromByte`. A CSV row that ends in
   * CR alone is finished only when the next byte is known not to be LF.
   */
  private reach(
    source: (a: number, b: number) => Uint8Array, held: Buffer,
    heldFrom: number,
  ): Boundary {
    const target = this.fromByte - this.base;
    const reached = readTo(this.format, source, this.at, target);
    if (reached.offset === target) return reached;
    const heldEnd = heldFrom + held.length;
    const crLast = held[this.fromByte - 1 - heldFrom] === CR;
    if (this.format.kind === 'csv' && crLast && heldEnd > this.fromByte) {
      const later = readTo(this.format, source, this.at, target + 1);
      if (later.offset === target) return later;
    }
    throw this.notBoundary();
  }

  private moveTo(next: Boundary, heldBytes: number): void {
    if (next === this.at) {
      this.retryAt = 2 * heldBytes;
      return;
    }
    this.retryAt = 0;
    if (this.format.kind === 'json'
      && edgeAt(this.format, next, () => -1)?.kind === 'root') {
      this.base += next.offset;
      this.at = { offset: 0 };
      return;
    }
    this.at = next;
  }

  /** The header, read while the held bytes still start at offset 0. */
  private headerFrom(
    held: Buffer, heldFrom: number,
  ): Uint8Array | undefined {
    if (this.headerKnown || heldFrom > 0) return undefined;
    const length = headerLength(this.format, held);
    if (length === undefined) return undefined;
    this.headerKnown = true;
    return held.subarray(0, length);
  }

  private notBoundary(): CliError {
    return new CliError(`--from-byte ${this.fromByte} is not a record `
      + 'boundary; use the offset printed by the failed run');
  }
}
