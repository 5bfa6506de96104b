/**
 * Peak memory while counting a long stream. A child process makes the
 * stream as it goes, from one block of farequote records whose times are
 * rewritten in place for each pass, so it never holds more than that
 * block; its peak RSS is then what counting costs, plus Node itself.
 */
import { spawn } from 'node:child_process';
import {
  initialCountingState, openSession, startUpload,
} from '../../lib/counting/session.js';
import { buildCase, loadFarequote, SHAPES } from './data.js';
import { CHUNK_BYTES, LIMITS } from './measures.js';

export interface StreamFigures {
  bytes: number;
  records: number;
  seconds: number;
  /** process.resourceUsage().maxRSS, converted to bytes. */
  peakRssBytes: number;
  /** RSS just before the first byte is counted. */
  startRssBytes: number;
}

/** The flag that makes the benchmark entry run as this child. */
export const STREAM_CHILD_FLAG = '--stream-child';

const BLOCK_BYTES = 1024 * 1024;
/** A block's times span under a day; each pass moves them on by one. */
const PASS_SHIFT_SEC = 86_400;

/** Runs in the child: counts `totalBytes` of generated records. */
export function countStream(totalBytes: number): StreamFigures {
  const epoch = SHAPES[0];
  const block = buildCase(epoch, loadFarequote(), BLOCK_BYTES);
  const timeAt = timePositions(block.bytes);
  const baseTimes = timeAt.map((at) =>
    Number(block.bytes.toString('latin1', at, at + 10)));

  const state = openSession(epoch.config, initialCountingState());
  const upload = startUpload(epoch.config, state,
    { now: () => Date.now(), limits: LIMITS });
  const startRssBytes = process.memoryUsage.rss();
  const started = performance.now();
  let fed = 0;
  let records = 0;
  for (let pass = 0; fed < totalBytes; pass += 1) {
    timeAt.forEach((at, i) => {
      block.bytes.write(String(baseTimes[i] + pass * PASS_SHIFT_SEC), at,
        'latin1');
    });
    for (let at = 0; at < block.bytes.length; at += CHUNK_BYTES) {
      upload.write(block.bytes.subarray(at, at + CHUNK_BYTES));
    }
    fed += block.bytes.length;
    records += block.records;
  }
  const { counts } = upload.end();
  if (counts.processedRecordCount !== records) {
    throw new Error(`stream: ${counts.processedRecordCount} of ${records}`);
  }
  return {
    bytes: fed,
    records,
    seconds: (performance.now() - started) / 1000,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
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

/** Runs the stream in a child process of this same script. */
export function measureStream(totalBytes: number): Promise<StreamFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath,
      [process.argv[1], STREAM_CHILD_FLAG, String(totalBytes)],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (data: Buffer) => { out += data.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`stream child exited with ${code}`));
        return;
      }
      resolve(JSON.parse(out) as StreamFigures);
    });
  });
}
