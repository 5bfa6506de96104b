import { CountingError } from '../counting/index.js';
import { CliError } from './cliErrors.js';
import {
  boundariesBefore, edgeAt, headerLength, readTo,
  type Boundary, type Edge, type SplitFormat,
} from './recordFramer.js';
import { SkippedInput } from './skippedInput.js';
import { formatCount } from './textTable.js';

/**
 * Cuts a stream of records into consecutive uploads no larger than a byte
 * limit, only where the counting core ends a record, in file order.
 * Offsets are positions in the (decompressed) input, so a run can resume
 * at any part's start. The limit may be lowered between parts (when the
 * server refuses a part as too large, the same part is cut again).
 */

export interface Part {
  /** 1 for the first part of this run. */
  number: number;
  /** Offset of the part's first byte in the input. */
  start: number;
  /** Offset after its last byte: where the next part starts. */
  end: number;
  /** What is sent: the bytes, wrapped or with a header when needed. */
  body: Buffer;
}

export interface SplitterOptions {
  maxBytes: number;
  format: SplitFormat;
  /** Where sending starts; the bytes before it are read, not sent. */
  fromByte: number;
}

/**
 * A part's body is `prefix` and then the input from `from` on: for CSV
 * after the first part the header; inside an array the blanks before the
 * comma and a bracket in its place, so offsets in the body and in the
 * input agree; after an array's closing bracket, the input after it.
 */
interface PartStart {
  offset: number;
  prefix: Buffer;
  from: number;
}

/**
 * A part the splitter could not make, because no record ends within the
 * limit or because the reader refuses the data; the run stops there.
 */
export class FramingError extends CliError {
  constructor(
    readonly kind: 'too-large' | 'unreadable', message: string,
  ) {
    super(message);
    this.name = 'FramingError';
  }
}

const OPEN = Buffer.from('[');
const CLOSE = Buffer.from(']');
/** What holds no record: JSON whitespace; for CSV, empty lines only. */
const BLANKS = { json: /^[ \t\r\n]*$/, csv: /^[\r\n]*$/ };

export class PartSplitter {
  maxBytes: number;
  private readonly format: SplitFormat;
  private chunks: Buffer[] = [];
  /** Input offset of the first held byte. */
  private heldFrom = 0;
  private heldBytes = 0;
  private ended = false;
  private emitted = 0;
  private header: Buffer | undefined;
  private start: PartStart = { offset: 0, prefix: Buffer.alloc(0), from: 0 };
  private skipped: SkippedInput | undefined;
  private offered: { part: Part; next: PartStart } | undefined;

  constructor(options: SplitterOptions) {
    this.maxBytes = options.maxBytes;
    this.format = options.format;
    if (options.fromByte > 0) {
      this.skipped = new SkippedInput(options.format, options.fromByte);
    }
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset,
      chunk.length));
    this.heldBytes += chunk.length;
  }

  end(): void {
    this.ended = true;
  }

  /**
   * The next part once it is known (full, or the last), or undefined
   * while more input is needed. It stays the next part until `taken`.
   */
  next(): Part | undefined {
    if (this.skipped !== undefined && !this.skipTo(this.skipped)) {
      return undefined;
    }
    if (this.heldBytes === 0) return undefined;

    const { prefix, from } = this.start;
    const room = this.maxBytes - prefix.length;
    const rest = this.heldFrom + this.heldBytes - from;
    if (rest > room) return this.cut();
    return this.ended ? this.lastPart() : undefined;
  }

  /** The part `next` gave was committed: go on after it. */
  taken(part: Part): void {
    if (this.offered?.part !== part) throw new Error('not the next part');
    this.emitted = part.number;
    this.start = this.offered.next;
    this.offered = undefined;
    this.drop(this.start.from);
  }

  /**
   * The bytes up to `fromByte` go through the reader, so the state there
   * (the CSV header, whether it is inside an array) is the file's own.
   */
  private skipTo(skipped: SkippedInput): boolean {
    if (!skipped.due(this.heldFrom, this.heldBytes, this.ended,
      this.maxBytes)) {
      return false;
    }
    const step = this.read(() => skipped.advance(this.held(), this.heldFrom,
      this.ended));
    if (step.header !== undefined) this.header = Buffer.from(step.header);
    this.drop(step.keepFrom);
    if (step.start === undefined) return false;

    this.skipped = undefined;
    this.start = this.partStart(step.start.offset, step.start.edge);
    this.drop(this.start.from);
    return true;
  }

  private lastPart(): Part | undefined {
    const { offset, prefix, from } = this.start;
    const bytes = this.held().subarray(from - this.heldFrom);
    // Blanks after the last cut hold no record (for CSV the upload would
    // count only the header again); a whole file goes as it is.
    const blank = BLANKS[this.format.kind];
    if (offset > 0 && blank.test(bytes.toString('latin1'))) {
      this.drop(this.heldFrom + this.heldBytes);
      return undefined;
    }
    const end = this.heldFrom + this.heldBytes;
    const part = {
      number: this.emitted + 1, start: offset, end,
      body: prefix.length === 0 ? bytes : Buffer.concat([prefix, bytes]),
    };
    this.offered = { part, next: { offset: end, prefix: Buffer.alloc(0),
      from: end } };
    return part;
  }

  /** The longest part that fits, cut at the last usable boundary. */
  private cut(): Part {
    const { offset, prefix, from } = this.start;
    const held = this.held();
    // Body offsets: the prefix, then the input from `from` on.
    const shift = from - prefix.length;
    const source = (a: number, b: number) => bodyBytes(prefix, held,
      a, b, shift - this.heldFrom);
    const byteAt = (i: number) => (i < prefix.length ? prefix[i]
      : held[i + shift - this.heldFrom] ?? -1);
    // Room for a closing bracket when the cut is inside an array.
    const limit = this.maxBytes - (this.format.kind === 'json' ? 1 : 0);
    const content = prefix.length + this.headerIn(held, offset);

    const found = this.read(() => boundariesBefore(this.format, source,
      { offset: 0 }, limit));
    for (let i = found.length - 1; i >= 0; i -= 1) {
      const at = found[i];
      if (at.offset <= content) break;
      const edge = edgeAt(this.format, at, byteAt);
      if (edge === undefined) continue;
      const inInput: Edge = edge.kind === 'root' ? edge
        : { kind: edge.kind, at: edge.at + shift };
      return this.offer(at.offset + shift, inInput, source(0, at.offset));
    }
    throw new FramingError('too-large', 'no record boundary to cut at '
      + `within the ${formatCount(this.maxBytes)} bytes of an upload from `
      + `byte ${offset}`);
  }

  private offer(end: number, edge: Edge, bytes: Uint8Array): Part {
    const inside = Buffer.from(bytes);
    const body = edge.kind === 'root' ? inside
      : Buffer.concat([inside, CLOSE]);
    const part = {
      number: this.emitted + 1, start: this.start.offset, end, body,
    };
    this.offered = { part, next: this.partStart(end, edge) };
    return part;
  }

  private partStart(offset: number, edge: Edge): PartStart {
    if (edge.kind === 'close') {
      return { offset, prefix: Buffer.alloc(0), from: edge.at + 1 };
    }
    if (edge.kind === 'comma') {
      const blanks = this.held().subarray(offset - this.heldFrom,
        edge.at - this.heldFrom);
      return {
        offset, prefix: Buffer.concat([blanks, OPEN]), from: edge.at + 1,
      };
    }
    const prefix = this.format.kind === 'csv' && offset > 0
      ? this.header ?? Buffer.alloc(0) : Buffer.alloc(0);
    return { offset, prefix, from: offset };
  }

  /**
   * In the first CSV part, the header's length: the part must hold a
   * row after it, and later parts start with it.
   */
  private headerIn(held: Buffer, offset: number): number {
    if (this.format.kind !== 'csv' || offset > 0) return 0;
    if (this.header === undefined) {
      const length = this.read(() => headerLength(this.format, held));
      if (length === undefined) {
        throw new FramingError('too-large', 'the header line does not end '
          + `within the ${formatCount(this.maxBytes)} bytes an upload may `
          + 'hold');
      }
      this.header = Buffer.from(held.subarray(0, length));
    }
    if (this.header.length >= this.maxBytes) {
      throw new FramingError('too-large', 'the header line of '
        + `${formatCount(this.header.length)} bytes leaves no room for rows `
        + `in uploads of ${formatCount(this.maxBytes)} bytes`);
    }
    return this.header.length;
  }

  /** A reader's refusal, as the server would refuse the same bytes. */
  private read<T>(step: () => T): T {
    try {
      return step();
    } catch (error) {
      if (!(error instanceof CountingError)) throw error;
      throw new FramingError('unreadable', 'the data from byte '
        + `${this.start.offset} on cannot be read: ${error.message}`);
    }
  }

  private held(): Buffer {
    if (this.chunks.length > 1) {
      this.chunks = [Buffer.concat(this.chunks, this.heldBytes)];
    }
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** Forgets the held bytes before input offset `offset`. */
  private drop(offset: number): void {
    const count = Math.min(offset - this.heldFrom, this.heldBytes);
    if (count <= 0) return;
    const rest = this.held().subarray(count);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.heldFrom += count;
    this.heldBytes -= count;
  }
}

/** Body bytes [a, b): the prefix, then held input (index = i + shift). */
function bodyBytes(
  prefix: Buffer, held: Buffer, a: number, b: number, shift: number,
): Uint8Array {
  if (b <= prefix.length) return prefix.subarray(a, b);
  const fromHeld = held.subarray(Math.max(a, prefix.length) + shift,
    b + shift);
  if (a >= prefix.length) return fromHeld;
  return Buffer.concat([prefix.subarray(a, Math.min(b, prefix.length)),
    fromHeld]);
}
