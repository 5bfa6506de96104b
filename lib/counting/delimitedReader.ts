// Contract stub: implemented by the record-reader work.
import type {
  ReaderCheckpoint, ReaderLimits, RecordReader, RecordSink,
} from './types.js';

export interface DelimitedReaderOptions {
  limits: ReaderLimits;
  fieldDelimiter: string;
  quoteCharacter: string;
  resume?: ReaderCheckpoint;
}

/**
 * The legacy `delimited` format (spec §11.6): a header line, then one record
 * per row. Throws a CountingError when an input field (other than ...) is not
 * in the header. `leafCount` handed to the sink is the header's width.
 */
export function createDelimitedRecordReader(
  fieldPaths: readonly string[],
  sink: RecordSink,
  options: DelimitedReaderOptions,
): RecordReader {
  throw new Error(`not implemented ${String([fieldPaths, sink, options])}`);
}
