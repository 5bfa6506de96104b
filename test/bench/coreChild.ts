/**
 * The benchmark's second entry, bundled alone (dist/bench-core.mjs) so
 * that it loads the counting core and nothing else: no AWS SDK, no
 * dynalite, no zone data beyond what the core itself needs. Its peak RSS
 * is then what counting costs, plus Node.
 *
 *   bench-core.mjs stream BYTES   counts a generated stream of BYTES
 *   bench-core.mjs file PATH      counts a file of farequote `epoch` NDJSON
 *
 * Either prints one JSON line of StreamFigures.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import {
  initialCountingState, openSession, startUpload,
} from '../../lib/counting/session.js';
import { SHAPES } from './data.js';
import { LIMITS } from './measures.js';
import { countStream, peakRssBytes, type StreamFigures } from
  './stream.js';

/** Read size of the file case: the S3 path's default chunk, 8 MiB. */
const FILE_CHUNK_BYTES = 8 * 1024 * 1024;

/** Counts a file as an upload of the `epoch` job, read in 8 MiB chunks. */
export function countFile(path: string): StreamFigures {
  const config = SHAPES[0].config;
  const state = openSession(config, initialCountingState());
  const upload = startUpload(config, state,
    { now: () => Date.now(), limits: LIMITS });
  // The reader copies what it keeps of a chunk, so one buffer serves all.
  const chunk = Buffer.allocUnsafe(FILE_CHUNK_BYTES);
  const startRssBytes = process.memoryUsage.rss();
  const started = performance.now();
  const fd = openSync(path, 'r');
  let bytes = 0;
  try {
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      upload.write(chunk.subarray(0, read));
      bytes += read;
    }
  } finally {
    closeSync(fd);
  }
  const { counts } = upload.end();
  return {
    bytes,
    records: counts.processedRecordCount,
    seconds: (performance.now() - started) / 1000,
    peakRssBytes: peakRssBytes(),
    startRssBytes,
  };
}

function main(): void {
  const [mode, argument] = process.argv.slice(2);
  if (mode === 'stream') {
    console.log(JSON.stringify(countStream(Number(argument))));
  } else if (mode === 'file') {
    console.log(JSON.stringify(countFile(argument)));
  } else {
    throw new Error('usage: bench-core.mjs stream BYTES | file PATH');
  }
}

main();
