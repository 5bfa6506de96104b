/**
 * The in-process measurements. Each reads a case's bytes once and returns
 * how many records it saw, which the caller checks against the case, so a
 * measurement that skipped work would be caught rather than look fast.
 */
import {
  initialCountingState, openSession, startUpload,
} from '../../lib/counting/session.js';
import type { ReaderLimits } from '../../lib/counting/types.js';
import type { BenchCase } from './data.js';

export interface Measurement {
  name: string;
  description: string;
  /** Records seen; must equal the case's record count. */
  run: (c: BenchCase) => number;
}

export const CHUNK_BYTES = 64 * 1024;
const NOW = 1_700_000_000_000;

/** The local service's defaults (lib/config.ts). */
export const LIMITS: ReaderLimits = {
  maxRecordBytes: 10 * 1024 * 1024, maxDepth: 1000, maxFieldsPerRecord: 10_000,
};

/**
 * What a first attempt does: decode the body, cut it into records and
 * `JSON.parse` each, counting top-level keys. NDJSON is cut at newlines;
 * pretty-printed records at a `}` that starts a line.
 */
function baseline(c: BenchCase): number {
  const text = c.bytes.toString('utf8');
  // Pretty records end with the `}` after the newline; one more newline
  // follows it.
  const [separator, kept, skipped] = c.framing === 'lines'
    ? ['\n', 0, 1] : ['\n}', 2, 3];
  let records = 0;
  let keys = 0;
  let at = 0;
  for (;;) {
    const cut = text.indexOf(separator, at);
    if (cut < 0) break;
    const record = JSON.parse(text.slice(at, cut + kept)) as object;
    for (const key in record) if (Object.hasOwn(record, key)) keys += 1;
    records += 1;
    at = cut + skipped;
  }
  if (keys < records) throw new Error(`${c.name}: keys were not counted`);
  return records;
}

/** The floor for any reader: finding every newline, nothing else. */
function scanLimit(c: BenchCase): number {
  const bytes = c.bytes;
  let newlines = 0;
  let at = bytes.indexOf(0x0a);
  while (at >= 0) {
    newlines += 1;
    at = bytes.indexOf(0x0a, at + 1);
  }
  // Pretty records have one newline per line; report records all the same.
  return c.framing === 'lines' ? newlines : c.records;
}

/**
 * The counting core as an upload runs it: reader, time parsing, counting
 * rules and bucket diagnostics, fed in 64 KiB chunks.
 */
function countingCore(c: BenchCase): number {
  const state = openSession(c.config, initialCountingState());
  const upload = startUpload(c.config, state,
    { now: () => NOW, limits: LIMITS });
  const { bytes } = c;
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
    upload.write(bytes.subarray(at, at + CHUNK_BYTES));
  }
  const { counts } = upload.end();
  if (counts.invalidDateCount + counts.outOfOrderTimestampCount > 0) {
    throw new Error(`${c.name}: records were not all processed`);
  }
  return counts.processedRecordCount;
}

export const MEASUREMENTS: Measurement[] = [
  {
    name: 'baseline',
    description: 'split + JSON.parse per record, count keys',
    run: baseline,
  },
  {
    name: 'scan limit',
    description: 'indexOf loop over every newline',
    run: scanLimit,
  },
  {
    name: 'counting core',
    description: 'startUpload().write(64 KiB chunks)...end()',
    run: countingCore,
  },
];
