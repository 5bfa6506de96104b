/**
 * Peak memory while counting a long stream. A child process makes the
 * stream as it goes, from one block of farequote records whose times are
 * rewritten in place for each pass, so it never holds more than that
 * block; its peak RSS is then what counting costs, plus Node itself.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  initialCountingState, openSession, startUpload,
} from '../../lib/counting/session.js';
import { buildCase, loadFarequote, SHAPES } from './data.js';
import { CHUNK_BYTES, LIMITS } from './measures.js';

export interface StreamFigures {
  bytes: number;
  records: number;
  seconds: number;
  /** This process's own peak RSS (peakRssBytes()). */
  peakRssBytes: number;
  /** RSS just before the first byte is counted. */
  startRssBytes: number;
}

const BLOCK_BYTES = 1024 * 1024;
/** A block's times span under a day; each pass moves them on by one. */
const PASS_SHIFT_SEC = 86_400;

/**
 * The peak RSS of this process's own memory. On Linux, getrusage's maxrss
 * of a spawned child starts at its parent's RSS at the fork (it survives
 * exec), so a child of a large benchmark would report the parent's size;
 * VmHWM of /proc/self/status belongs to the memory made at exec.
 */
export function peakRssBytes(): number {
  try {
    const status = readFileSync('/proc/self/status', 'latin1');
    const found = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    if (found !== null) return Number(found[1]) * 1024;
  } catch {
    // Not Linux: maxrss is the best there is.
  }
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Farequote `epoch` records, one block per pass, as many passes as reach
 * `totalBytes`. The same buffer comes back each time with its times moved
 * on a day: use it before asking for the next.
 */
export function epochBlocks(totalBytes: number): {
  blockBytes: number;
  blockRecords: number;
  passes: number;
  blocks: () => Generator<Buffer>;
} {
  // A block takes about 12,000 rows of 85 bytes; 20,000 are more than
  // enough, and reading only those keeps the child small.
  const block = buildCase(SHAPES[0], loadFarequote(undefined, 20_000),
    BLOCK_BYTES);
  const timeAt = timePositions(block.bytes);
  const baseTimes = timeAt.map((at) =>
    Number(block.bytes.toString('latin1', at, at + 10)));
  const passes = Math.ceil(totalBytes / block.bytes.length);
  function* blocks(): Generator<Buffer> {
    for (let pass = 0; pass < passes; pass += 1) {
      timeAt.forEach((at, i) => {
        block.bytes.write(String(baseTimes[i] + pass * PASS_SHIFT_SEC), at,
          'latin1');
      });
      yield block.bytes;
    }
  }
  return {
    blockBytes: block.bytes.length, blockRecords: block.records, passes,
    blocks,
  };
}

/** Runs in the child: counts `totalBytes` of generated records. */
export function countStream(totalBytes: number): StreamFigures {
  const epoch = SHAPES[0];
  const source = epochBlocks(totalBytes);
  const state = openSession(epoch.config, initialCountingState());
  const upload = startUpload(epoch.config, state,
    { now: () => Date.now(), limits: LIMITS });
  const startRssBytes = process.memoryUsage.rss();
  const started = performance.now();
  for (const block of source.blocks()) {
    for (let at = 0; at < block.length; at += CHUNK_BYTES) {
      upload.write(block.subarray(at, at + CHUNK_BYTES));
    }
  }
  const fed = source.passes * source.blockBytes;
  const records = source.passes * source.blockRecords;
  const { counts } = upload.end();
  if (counts.processedRecordCount !== records) {
    throw new Error(`stream: ${counts.processedRecordCount} of ${records}`);
  }
  return {
    bytes: fed,
    records,
    seconds: (performance.now() - started) / 1000,
    peakRssBytes: peakRssBytes(),
    startRssBytes,
  };
}

/** Where each record's 10-digit `"time":` value starts. */
function timePositions(bytes: Buffer): number[] {
  const marker = Buffer.from('{"time":');
  const positions: number[] = [];
  let at = bytes.indexOf(marker);
  while (at >= 0) {
    positions.push(at + marker.length);
    at = bytes.indexOf(marker, at + 1);
  }
  return positions;
}

/** The core-only bundle built next to the benchmark's (coreChild.ts). */
export const CORE_CHILD = new URL('./bench-core.mjs', import.meta.url);

/** Runs `bench-core.mjs` with `args`; resolves its JSON line. */
export function runCoreChild(args: string[]): Promise<StreamFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CORE_CHILD.pathname, ...args],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (data: Buffer) => { out += data.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`bench-core ${args[0]} exited with ${code}`));
        return;
      }
      resolve(JSON.parse(out) as StreamFigures);
    });
  });
}

/** Counts a generated stream in the core-only child. */
export const measureStream = (totalBytes: number): Promise<StreamFigures> =>
  runCoreChild(['stream', String(totalBytes)]);
