import {
  CountingError, createDelimitedRecordReader, createJsonRecordReader,
  isJsonSpace,
} from '../counting/index.js';
import type {
  ReaderCheckpoint, RecordReader, RecordSink,
} from '../counting/types.js';

/**
 * Where a file may be cut into uploads, found by the counting core's own
 * record readers: a cut falls where the reader has finished a record, and
 * an upload is only sent if the same reader, reading it alone as the
 * server will, ends it without an error. So comments, strings, escapes,
 * quoted CSV values over several lines and LF, CRLF or CR line ends are
 * framed by the one rule the server counts by.
 */

export type SplitFormat =
  | { kind: 'json' }
  | { kind: 'csv'; delimiter: string; quote: string };

/** A point where the reader had finished a record, and its state there. */
export interface Boundary {
  offset: number;
  /** Undefined at the start of a stream. */
  checkpoint?: ReaderCheckpoint;
}

/**
 * What lies at a cut. Outside an array, nothing: each side is an upload
 * as it stands. Inside a top-level array the part before it gets a
 * closing bracket, and the one after it starts with the comma at `at`,
 * which becomes an opening bracket, or after the array's closing bracket
 * at `at`, which the part before has taken over.
 */
export type Edge =
  | { kind: 'root' }
  | { kind: 'comma' | 'close'; at: number };

const UNLIMITED = Number.MAX_SAFE_INTEGER;
// The server applies its own limits; here only record ends matter.
const NO_LIMITS = {
  maxRecordBytes: UNLIMITED, maxDepth: UNLIMITED,
  maxFieldsPerRecord: UNLIMITED,
};
const IGNORE: RecordSink = { record() {} };
const CLOSE = 0x5d;
const CLOSE_ARRAY = Uint8Array.of(CLOSE);
const COMMA = 0x2c;
/** How many reads one search for a cut takes, so cuts fall near the limit. */
const STEPS = 16;

export function openReader(
  format: SplitFormat, checkpoint?: ReaderCheckpoint,
): RecordReader {
  if (format.kind === 'json') {
    return createJsonRecordReader([], IGNORE,
      { limits: NO_LIMITS, resume: checkpoint });
  }
  return createDelimitedRecordReader([], IGNORE, {
    limits: NO_LIMITS, fieldDelimiter: format.delimiter,
    quoteCharacter: format.quote, resume: checkpoint,
  });
}

/**
 * The boundaries after `from` up to `end` in `source` (stream offsets;
 * `source(a, b)` gives those bytes), in order. A reader that waits for a
 * record to end reads it again only once its held bytes have doubled, so
 * each step starts a fresh reader at the last boundary and reads the
 * step's bytes at once: the last boundary found is the last one before
 * `end`, and records longer than a step are read again at most STEPS
 * times.
 */
export function boundariesBefore(
  format: SplitFormat, source: (from: number, to: number) => Uint8Array,
  from: Boundary, end: number,
): Boundary[] {
  const found: Boundary[] = [];
  const step = Math.max(1, Math.ceil((end - from.offset) / STEPS));
  let at = from;
  for (let to = Math.min(from.offset + step, end); ;
    to = Math.min(to + step, end)) {
    const next = readTo(format, source, at, to);
    if (next.offset > at.offset) {
      found.push(next);
      at = next;
    }
    if (to >= end) return found;
  }
}

/** The last boundary before `end`, or `from` when no record ends there. */
export function readTo(
  format: SplitFormat, source: (from: number, to: number) => Uint8Array,
  from: Boundary, end: number,
): Boundary {
  const reader = openReader(format, from.checkpoint);
  reader.write(source(from.offset, end));
  const offset = reader.committedOffset;
  if (offset <= from.offset) return from;
  return { offset, checkpoint: reader.checkpoint() };
}

/**
 * How a cut at `at` may be made, or undefined when it may not (nested
 * arrays, a comment before a comma or a bracket, a record the reader is
 * recovering from). `following(i)` is the byte at stream offset `i`, or -1 past the
 * bytes at hand.
 */
export function edgeAt(
  format: SplitFormat, at: Boundary, following: (offset: number) => number,
): Edge | undefined {
  if (completes(format, at, undefined)) return { kind: 'root' };
  if (format.kind !== 'json') return undefined;

  let offset = at.offset;
  let byte = following(offset);
  while (isJsonSpace(byte)) byte = following(++offset);
  if (byte !== COMMA && byte !== CLOSE) return undefined;
  // One bracket ends it: the cut is in a top-level array, not deeper.
  if (!completes(format, at, CLOSE_ARRAY)) return undefined;
  return { kind: byte === COMMA ? 'comma' : 'close', at: offset };
}

/**
 * The length of a CSV header: the first row, with any empty lines before
 * it. The reader commits nothing before the header ends, so the header
 * is the first point where it commits, found by doubling the bytes read,
 * then halving the gap. Undefined when it does not end in `bytes`.
 */
export function headerLength(
  format: SplitFormat, bytes: Uint8Array,
): number | undefined {
  const committedIn = (length: number) => {
    const reader = openReader(format);
    reader.write(bytes.subarray(0, length));
    return reader.committedOffset;
  };
  let low = 0;
  let high = Math.min(64, bytes.length);
  while (committedIn(high) === 0) {
    if (high === bytes.length) return undefined;
    low = high;
    high = Math.min(2 * high, bytes.length);
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (committedIn(middle) === 0) low = middle;
    else high = middle;
  }
  return committedIn(high);
}

/** Whether the stream, stopped at `at` (after `tail`), is complete. */
function completes(
  format: SplitFormat, at: Boundary, tail: Uint8Array | undefined,
): boolean {
  const reader = openReader(format, at.checkpoint);
  try {
    if (tail !== undefined) reader.write(tail);
    reader.end();
    return true;
  } catch (error) {
    if (error instanceof CountingError) return false;
    throw error;
  }
}
