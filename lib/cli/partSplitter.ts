import { CsvBoundaries } from './csvBoundaries.js';
import { CliError } from './cliErrors.js';
import { JsonBoundaries, type RecordEnd } from './jsonBoundaries.js';

/**
 * Cuts a stream of records into consecutive uploads no larger than a byte
 * limit, only between records, in file order. Offsets are positions in
 * the (decompressed) input, so a run can resume at any part's start.
 */

export interface Part {
  /** 1 for the first part of this run. */
  number: number;
  /** Offset of the part's first byte in the input. */
  start: number;
  /** Offset after its last byte: where the next part starts. */
  end: number;
  records: number;
  /** What is sent: the bytes, wrapped or with a header when needed. */
  body: Buffer;
}

export type SplitFormat =
  | { kind: 'json' }
  | { kind: 'csv'; quote: string };

export interface SplitterOptions {
  maxBytes: number;
  format: SplitFormat;
  /** Offset of the first byte pushed; above 0 when resuming. */
  startOffset: number;
  /** The CSV header, given when resuming past it. */
  header?: Uint8Array;
}

interface Boundary {
  cut: number;
  /** Records from the part start up to this boundary. */
  records: number;
  record?: RecordEnd;
}

export class PartSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private partStart: number;
  private boundaries: Boundary[] = [];
  private records = 0;
  private emitted = 0;
  private header: Uint8Array | undefined;
  private lastRecord: RecordEnd | undefined;
  private readonly json: JsonBoundaries | undefined;
  private readonly csv: CsvBoundaries | undefined;

  constructor(private readonly options: SplitterOptions) {
    this.partStart = options.startOffset;
    this.header = options.header;
    const { format } = options;
    if (format.kind === 'json') this.json = new JsonBoundaries();
    if (format.kind === 'csv') {
      this.csv = new CsvBoundaries(format.quote.charCodeAt(0));
    }
  }

  push(chunk: Uint8Array): Part[] {
    const offset = this.partStart + this.pendingBytes;
    this.pending.push(Buffer.from(chunk.buffer, chunk.byteOffset,
      chunk.length));
    this.pendingBytes += chunk.length;
    this.scan(chunk, offset);

    const parts: Part[] = [];
    while (this.pendingBytes > this.budget()) parts.push(this.cut());
    return parts;
  }

  /** The last part, if any bytes remain. */
  end(): Part[] {
    this.json?.finish((record) => this.onRecord(record));
    if (this.csv?.hasOpenRow) this.records += 1;
    if (this.pendingBytes === 0) return [];

    // A file that fits in one upload goes exactly as it is. A tail with
    // no record is sent only where it is valid alone: blanks after NDJSON
    // (so the byte counts add up), not an array's closing bracket nor a
    // CSV part that would be only a header.
    const whole = this.emitted === 0 && this.options.startOffset === 0;
    const validAlone = this.json !== undefined && !this.lastRecord?.inArray;
    if (!whole && this.records === 0 && !validAlone) return [];

    const bytes = Buffer.concat(this.pending, this.pendingBytes);
    const last = this.boundaries.at(-1)?.record;
    const part = this.makePart(bytes, this.partStart + bytes.length,
      this.records, whole ? undefined : this.firstRecord(), last);
    this.pending = [];
    this.pendingBytes = 0;
    return [part];
  }

  private scan(chunk: Uint8Array, offset: number): void {
    if (this.json !== undefined) {
      this.json.scan(chunk, offset, (record) => this.onRecord(record));
      return;
    }
    this.csv?.scan(chunk, offset, (cut) => {
      if (this.header === undefined) {
        this.header = Buffer.concat(this.pending).subarray(0,
          cut - this.partStart);
        this.boundaries.push({ cut, records: 0 });
        return;
      }
      this.records += 1;
      this.boundaries.push({ cut, records: this.records });
    });
  }

  private onRecord(record: RecordEnd): void {
    this.lastRecord = record;
    this.records += 1;
    this.boundaries.push({ cut: record.cut, records: this.records, record });
  }

  /** Room for input bytes in the current part. */
  private budget(): number {
    const { maxBytes, format } = this.options;
    if (format.kind === 'json') return maxBytes - 2;
    const repeatsHeader = this.partStart > 0 && this.header !== undefined;
    return repeatsHeader ? maxBytes - this.header!.length : maxBytes;
  }

  private cut(): Part {
    const limit = this.partStart + this.budget();
    let chosen = -1;
    let at = -1;
    for (let i = 0; i < this.boundaries.length; i += 1) {
      const { cut, record } = this.boundaries[i];
      // Blanks after a record may not fit; the record's end still does.
      const fits = cut <= limit ? cut
        : record !== undefined && record.end <= limit ? record.end : -1;
      if (fits < 0) break;
      if (fits > this.partStart) {
        chosen = i;
        at = fits;
      }
    }
    if (chosen < 0) throw recordTooLarge(this.partStart, this.options);

    const boundary = this.boundaries[chosen];
    const bytes = Buffer.concat(this.pending, this.pendingBytes);
    const length = at - this.partStart;
    const part = this.makePart(bytes.subarray(0, length), at,
      boundary.records, this.firstRecord(), boundary.record);

    this.pending = [bytes.subarray(length)];
    this.pendingBytes -= length;
    this.partStart = at;
    this.records -= boundary.records;
    this.boundaries = this.boundaries.slice(chosen + 1)
      .map((b) => ({ ...b, records: b.records - boundary.records }));
    return part;
  }

  private firstRecord(): RecordEnd | undefined {
    return this.boundaries.find((b) => b.record !== undefined)?.record;
  }

  private makePart(
    bytes: Buffer, end: number, records: number,
    first: RecordEnd | undefined, last: RecordEnd | undefined,
  ): Part {
    this.emitted += 1;
    const part = { number: this.emitted, start: this.partStart, end, records };
    return { ...part, body: this.bodyOf(bytes, first, last) };
  }

  /**
   * Parts of a top-level array are sent as arrays of their own records;
   * later CSV parts start with the header. Anything else goes as it is.
   */
  private bodyOf(
    bytes: Buffer, first: RecordEnd | undefined, last: RecordEnd | undefined,
  ): Buffer {
    if (first?.inArray && last !== undefined) {
      const inner = bytes.subarray(first.start - this.partStart,
        last.end - this.partStart);
      return Buffer.concat([Buffer.from('['), inner, Buffer.from(']')]);
    }
    if (this.csv !== undefined && this.partStart > 0 && this.header) {
      return Buffer.concat([this.header, bytes]);
    }
    return bytes;
  }
}

function recordTooLarge(at: number, options: SplitterOptions): CliError {
  return new CliError(`the record at byte ${at} does not fit in one `
    + `upload of --max-bytes ${options.maxBytes}; raise --max-bytes or use `
    + '--via-s3');
}
