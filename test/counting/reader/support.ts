import { CountingError } from '../../../lib/counting/errors.js';
import type {
  ReaderLimits, RecordReader, RecordSink,
} from '../../../lib/counting/types.js';

export interface ReadRecord {
  leafCount: number;
  values: (string | undefined)[];
}

export type MakeReader = (sink: RecordSink) => RecordReader;

export const roomyLimits: ReaderLimits = {
  maxRecordBytes: 1 << 20,
  maxDepth: 1000,
  maxFieldsPerRecord: 10_000,
};

export const bytesOf = (text: string): Uint8Array =>
  new TextEncoder().encode(text);

/** A sink that copies each record, since the reader reuses its array. */
export function collectingSink(): { sink: RecordSink; records: ReadRecord[] } {
  const records: ReadRecord[] = [];
  const sink: RecordSink = {
    record(leafCount, values) {
      records.push({ leafCount, values: [...values] });
    },
  };
  return { sink, records };
}

/** Feeds `body` in pieces of `chunkSize` bytes (whole when omitted). */
export function readAll(
  make: MakeReader, body: Uint8Array | string, chunkSize?: number,
): ReadRecord[] {
  const bytes = typeof body === 'string' ? bytesOf(body) : body;
  const { sink, records } = collectingSink();
  const reader = make(sink);
  const size = chunkSize ?? Math.max(bytes.length, 1);
  for (let at = 0; at < bytes.length; at += size) {
    reader.write(bytes.slice(at, at + size));
  }
  reader.end();
  return records;
}

/** The CountingError a read fails with, or undefined if it succeeds. */
export function failureOf(
  make: MakeReader, body: Uint8Array | string, chunkSize?: number,
): CountingError | undefined {
  try {
    readAll(make, body, chunkSize);
    return undefined;
  } catch (error) {
    if (error instanceof CountingError) return error;
    throw error;
  }
}

export const CHUNK_SIZES = [undefined, 1, 2, 3, 7, 64, 4096] as const;
