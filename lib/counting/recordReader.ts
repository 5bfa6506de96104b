/**
 * The streaming JSON record reader: feeds byte chunks to the tokenizer,
 * hands each finished record to the sink and remembers the last point
 * where reading could start again (committedOffset, checkpoint). A record
 * cut by a chunk edge waits in HeldBytes and is read again from its start.
 */
import { NEED_MORE } from './jsonBytes.js';
import { JsonFastPath } from './jsonFastPath.js';
import { FAIL, skipSpace } from './jsonFastScan.js';
import { HeldBytes } from './heldBytes.js';
import { JsonRecords } from './jsonRecords.js';
import { isSpanSink, type SpanSink } from './recordSpans.js';
import { JsonTokenizer, type TokenizerState } from './jsonTokenizer.js';
import { recordTooLarge } from './errors.js';
import type {
  ReaderCheckpoint, ReaderLimits, RecordReader, RecordSink,
} from './types.js';

export interface JsonReaderOptions {
  limits: ReaderLimits;
  /** Continue from a checkpoint taken by an earlier reader. */
  resume?: ReaderCheckpoint;
  /**
   * Whether plain records may be read by the fast path (default true).
   * Off only to compare both paths; the records are the same either way.
   */
  fastPath?: boolean;
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
  private readonly held: HeldBytes;
  private heldFrom: number;
  /** Stream offset just past the last byte written. */
  private written: number;
  private committed: number;
  private savedErrors: number;
  private ended = false;
  private readonly fast: JsonFastPath | null;
  private readonly spanSink: SpanSink | null;
  private readonly fastValues: (string | undefined)[];

  constructor(
    fieldPaths: readonly string[],
    private readonly sink: RecordSink,
    options: JsonReaderOptions,
  ) {
    const { limits, resume } = options;
    this.maxRecordBytes = limits.maxRecordBytes;
    this.held = new HeldBytes(limits.maxRecordBytes);
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
      this.tokens.startAt(offset);
    }
    this.savedErrors = this.records.errorCount;
    this.fast = options.fastPath === false ? null
      : new JsonFastPath(fieldPaths, limits);
    this.spanSink = isSpanSink(sink) ? sink : null;
    this.fastValues = new Array<string | undefined>(fieldPaths.length);
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

  write(given: Uint8Array): void {
    if (this.ended) throw new Error('write after end');
    if (given.length === 0) return;
    // Buffers and plain Uint8Arrays have different hidden classes; seeing
    // only the latter keeps every byte load of the scanners monomorphic.
    const chunk = given.constructor === Uint8Array ? given
      : new Uint8Array(given.buffer, given.byteOffset, given.length);

    this.written += chunk.length;
    const held = this.held;
    if (held.length === 0) {
      // Nothing held: the chunk is read where it is, and only its
      // uncommitted tail is copied.
      const from = this.written - chunk.length;
      this.tokens.setInput(chunk, from, chunk.length, false);
      this.pump();
      held.replace(chunk, this.committed - from, chunk.length);
      this.heldFrom = this.committed;
      return;
    }

    held.append(chunk);
    if (held.waiting()) return;
    this.tokens.setInput(held.bytes, this.heldFrom, held.length, false);
    this.pump();
    held.dropFront(this.committed - this.heldFrom);
    this.heldFrom = this.committed;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.tokens.setInput(this.held.bytes, this.heldFrom, this.held.length,
      true);
    this.pump();
    this.committed = this.written;
    this.held.dropFront(this.held.length);
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
        if (this.readFastRecords()) continue;
        const leafCount = this.records.read();
        if (leafCount < 0) return;
        if (this.tokens.offset - this.committed > this.maxRecordBytes) {
          throw recordTooLarge(this.maxRecordBytes);
        }
        this.sink.record(leafCount, this.records.values);
      }
    } catch (error) {
      if (error !== NEED_MORE) throw error;
      if (!this.held.ranOut(this.written - this.committed)) {
        throw recordTooLarge(this.maxRecordBytes);
      }
    }
  }

  /**
   * Reads the records that follow through the fast path, as long as it
   * can; false when the exact path must read the next one (from the same
   * position). Nothing outside sees the reader between these records, so
   * the tokenizer learns about them once, at the end.
   */
  private readFastRecords(): boolean {
    const fast = this.fast;
    if (fast === null) return false;
    const start = this.tokens.rootValueIndex();
    if (start < 0) return false;

    const buf = this.tokens.window;
    const end = this.tokens.windowEnd;
    let at = start;
    let passed = 0;
    let next = fast.read(buf, at, end);
    while (next >= 0) {
      if (this.spanSink !== null) {
        this.spanSink.recordSpans(fast.leafCount, fast);
      } else {
        fast.deliver(this.sink, this.fastValues);
      }
      passed += 1;
      at = skipSpace(buf, next, end);
      next = at < end ? fast.read(buf, at, end) : FAIL;
    }
    if (passed === 0) return false;
    this.tokens.passRootObjects(at, passed);
    return true;
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
}
