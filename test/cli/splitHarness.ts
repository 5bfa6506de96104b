import {
  PartSplitter, type Part, type SplitterOptions,
} from '../../lib/cli/partSplitter.js';
import type { SplitFormat } from '../../lib/cli/recordFramer.js';
import {
  createDelimitedRecordReader,
} from '../../lib/counting/delimitedReader.js';
import { createJsonRecordReader } from '../../lib/counting/recordReader.js';

export const CSV: SplitFormat = { kind: 'csv', delimiter: ',', quote: '"' };

/**
 * Feeds `input` to a splitter in chunks of `chunkBytes`, sending each
 * part as soon as it is ready, and collects them.
 */
export function split(
  input: string | Uint8Array, options: Partial<SplitterOptions>,
  chunkBytes = Infinity,
): Part[] {
  const splitter = new PartSplitter({
    maxBytes: 100, format: { kind: 'json' }, fromByte: 0, ...options,
  });
  const parts: Part[] = [];
  const send = () => {
    for (let part = splitter.next(); part; part = splitter.next()) {
      parts.push(part);
      splitter.taken(part);
    }
  };
  const bytes = Buffer.from(input);
  for (let at = 0; at < bytes.length; at += chunkBytes) {
    splitter.push(bytes.subarray(at, at + chunkBytes));
    send();
  }
  splitter.end();
  send();
  return parts;
}

export const summary = (parts: Part[]) => parts.map((part) => ({
  start: part.start, end: part.end, body: part.body.toString(),
}));

/**
 * The records the server's reader finds in one upload, read alone as
 * the server reads it; throws as the server would refuse it.
 */
export function recordsIn(format: SplitFormat, body: Uint8Array): number {
  let records = 0;
  const sink = { record() { records += 1; } };
  const limits = {
    maxRecordBytes: 10 * 1024 * 1024, maxDepth: 1000,
    maxFieldsPerRecord: 10_000,
  };
  const reader = format.kind === 'json'
    ? createJsonRecordReader([], sink, { limits })
    : createDelimitedRecordReader([], sink, { limits,
      fieldDelimiter: format.delimiter, quoteCharacter: format.quote });
  reader.write(body);
  reader.end();
  return records;
}
