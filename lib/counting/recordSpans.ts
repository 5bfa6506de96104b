/**
 * The wanted values of a record as the fast path hands them on: byte
 * ranges of the reader's window and what kind of value each is, and the
 * sinks that take them in that form.
 */
import { latin1Text } from './asciiBytes.js';
import type { RecordSink } from './types.js';

/** What a wanted field held in the last record read. */
export const ValueKind = {
  ABSENT: 0,
  STRING: 1,
  NUMBER: 2,
  TRUE: 3,
  FALSE: 4,
  NULL: 5,
} as const;

/**
 * The wanted values of one record as byte ranges of `bytes`: a string's
 * content without quotes, or a number's literal. Valid only during the
 * sink call.
 */
export interface RecordSpans {
  readonly bytes: Uint8Array;
  readonly kinds: Uint8Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** How many of the wanted fields the record has. */
  readonly presentCount: number;
}

/** A sink that can take a record's values as byte ranges. */
export interface SpanSink {
  recordSpans(leafCount: number, spans: RecordSpans): void;
}

export function isSpanSink(sink: RecordSink): sink is RecordSink & SpanSink {
  return typeof (sink as Partial<SpanSink>).recordSpans === 'function';
}

/** The text a string-taking sink gets for wanted field `i`. */
export function spanText(spans: RecordSpans, i: number): string | undefined {
  switch (spans.kinds[i]) {
    case ValueKind.ABSENT:
      return undefined;
    case ValueKind.TRUE:
      return 'true';
    case ValueKind.FALSE:
      return 'false';
    case ValueKind.NULL:
      return '';
    default:
      return latin1Text(spans.bytes, spans.starts[i], spans.ends[i]);
  }
}
