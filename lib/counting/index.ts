/**
 * The counting core's public surface. Pure: no I/O, no AWS, no clock reads
 * except through the `now` it is given.
 */
export type * from './types.js';
export { CountingError } from './errors.js';
export {
  initialCountingState,
  openSession,
  closeSession,
  startUpload,
  flushEngine,
} from './session.js';
export {
  renderDataCounts, renderTime, emptyDataCounts,
} from './dataCounts.js';
export { isoTimeText, jsonNumberText } from './timeText.js';
export { inputFieldSet, analysedFieldCount } from './inputFields.js';
export { isValidTimeFormat, createTimeParser } from './timeParser.js';
export { createJsonRecordReader } from './recordReader.js';
export {
  createDelimitedRecordReader, csvCharacterByte,
} from './delimitedReader.js';
export { isSpace as isJsonSpace } from './asciiBytes.js';
