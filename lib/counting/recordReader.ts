/**
 * The streaming JSON record reader: feeds byte chunks to the tokenizer,
 * hands each finished record to the sink and remembers the last point
 * where reading could start again (committedOffset, checkpoint).
 *
 * A record cut by a chunk edge is read again from its start once more
 * bytes have come. To keep the total work linear, a record that ran out
 * of bytes is only retried when the held bytes have doubled (or the input
 * ended); the held bytes never grow past one record plus one chunk before
 * the size limit is checked.
 */
import { NEED_MORE } from './jsonBytes.js';
import { JsonRecords } from './jsonRecords.js';
import { JsonTokenizer, type TokenizerState } from './jsonTokenizer.js';
import { recordTooLarge } from './errors.js';
import type {
  ReaderCheckpoint, ReaderLimits, RecordReader, RecordSink,
} from './types.js';

export interface JsonReaderOptions {
  limits: ReaderLimits;
  /** Continue from a checkpoint taken by an earlier reader. */
  resume?: ReaderCheckpoint;
}

interface JsonReaderState {
  tokenizer: TokenizerState;
  errorCount: number;
}

const BOM = [0xef, 0xbb, 0xbf];

export function createJsonRecordReader(
  fieldPaths: readonly string[],
  sink: RecordSink,
  options: JsonReaderOptions,
): RecordReader {
  return new JsonRecordReader(fieldPaths, sink, options);
}

class JsonRecordReader implements RecordReader {
  private readonly tokens: JsonTokenizer;
  private readonly records: JsonRecords;
  private readonly maxRecordBytes: number;
  /** Bytes not yet committed, starting at stream offset `heldFrom`. */
  private held = new Uint8Array(4096);
  private heldLength = 0;
  private heldFrom: number;
  /** Stream offset just past the last byte written. */
  private written: number;
  private committed: number;
  private savedErrors: number;
  private retryAt = 0;
  private ended = false;

  constructor(
    fieldPaths: readonly string[],
    private readonly sink: RecordSink,
    options: JsonReaderOptions,
  ) {
    const { limits, resume } = options;
    this.maxRecordBytes = limits.maxRecordBytes;
    this.tokens = new JsonTokenizer(limits.maxDepth);
    const wanted = new Map(fieldPaths.map((path, i) => [path, i]));
    this.records = new JsonRecords(this.tokens, wanted, fieldPaths.length,
      limits.maxFieldsPerRecord, () => this.commit());
    const offset = resume?.offset ?? 0;
    this.heldFrom = offset;
    this.written = offset;
    this.committed = offset;
    const state = resume?.state as JsonReaderState | null | undefined;
    if (state) {
      this.tokens.load(state.tokenizer, offset);
      this.records.errorCount = state.errorCount;
    } else {
      this.tokens.save();
    }
    this.savedErrors = this.records.errorCount;
  }

  get committedOffset(): number {
    return this.committed;
  }

  checkpoint(): ReaderCheckpoint {
    const state: JsonReaderState = {
      tokenizer: this.tokens.savedState(),
      errorCount: this.savedErrors,
    };
    return { offset: this.committed, state };
  }

  write(chunk: Uint8Array): void {
    if (this.ended) throw new Error('write after end');
    if (chunk.length === 0) return;

    this.written += chunk.length;
    if (this.heldLength === 0) {
      this.tokens.setInput(chunk, this.written - chunk.length, chunk.length,
        false);
      this.pump();
      this.keepTail(chunk, this.written - chunk.length);
      return;
    }

    this.append(chunk);
    const waiting = this.heldLength < this.retryAt
      && this.heldLength <= this.maxRecordBytes;
    if (waiting) return;
    this.tokens.setInput(this.held, this.heldFrom, this.heldLength, false);
    this.pump();
    this.keepTail(this.held, this.heldFrom);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.tokens.setInput(this.held, this.heldFrom, this.heldLength, true);
    this.pump();
    this.committed = this.written;
    this.heldLength = 0;
    this.heldFrom = this.written;
  }

  /** Reads records until the held bytes run out. */
  private pump(): void {
    this.tokens.restore();
    this.records.errorCount = this.savedErrors;
    try {
      this.skipByteOrderMark();
      for (;;) {
        this.commit();
        const leafCount = this.records.read();
        if (leafCount < 0) return;
        if (this.tokens.offset - this.committed > this.maxRecordBytes) {
          throw recordTooLarge(this.maxRecordBytes);
        }
        this.sink.record(leafCount, this.records.values);
      }
    } catch (error) {
      if (error !== NEED_MORE) throw error;
      const pending = this.written - this.committed;
      if (pending > this.maxRecordBytes) {
        throw recordTooLarge(this.maxRecordBytes);
      }
      this.retryAt = 2 * pending;
    }
  }

  /** A UTF-8 byte order mark at the very start of the stream is skipped. */
  private skipByteOrderMark(): void {
    if (this.committed !== 0) return;
    const available = this.written;
    for (let i = 0; i < 3; i += 1) {
      if (i >= available) {
        if (this.ended) return;
        throw NEED_MORE;
      }
      if (this.tokens.byteAt(i) !== BOM[i]) return;
    }
    this.tokens.skipBytes(3);
    this.commit();
  }

  /** Marks the tokenizer's position (after any whitespace) as resumable. */
  private commit(): void {
    this.tokens.skipSeparators();
    this.tokens.save();
    this.committed = this.tokens.savedPos;
    this.savedErrors = this.records.errorCount;
  }

  private append(chunk: Uint8Array): void {
    const needed = this.heldLength + chunk.length;
    if (needed > this.held.length) {
      const grown = new Uint8Array(Math.max(needed, 2 * this.held.length));
      grown.set(this.held.subarray(0, this.heldLength));
      this.held = grown;
    }
    this.held.set(chunk, this.heldLength);
    this.heldLength = needed;
  }

  /** Keeps the uncommitted bytes of `source` (stream offset `from`). */
  private keepTail(source: Uint8Array, from: number): void {
    const tail = source.subarray(this.committed - from, this.written - from);
    if (source === this.held) {
      this.held.copyWithin(0, this.committed - from, this.written - from);
    } else {
      this.heldLength = 0;
      this.append(tail);
    }
    this.heldLength = tail.length;
    this.heldFrom = this.committed;
  }
}
