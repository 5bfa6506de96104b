/**
 * The S3 path at full size: a child process of the benchmark starts the
 * local stack (dynalite in process, s3rver in a child of its own), streams
 * a 1 GB farequote object into s3rver, and times its ingestion from the
 * end of the PUT until the ingest function logs its end (its counts are
 * then checked on `_uploads`). The child's peak RSS is
 * the ingesting process's. The counting core then reads s3rver's stored
 * copy of the same bytes from disk in the core-only child, for the ratio.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { startLocalStack } from '../../infra/local/stack.js';
import { createS3Client } from '../../lib/store/objects.js';
import {
  epochBlocks, peakRssBytes, runCoreChild, type StreamFigures,
} from './stream.js';

/** The flag that makes the benchmark entry run as the ingesting child. */
export const S3_CHILD_FLAG = '--s3-child';

export interface S3Figures {
  /** The ingesting process: bytes, records, seconds, peak RSS. */
  ingest: StreamFigures;
  /** The counting core on the stored object's bytes, read from disk. */
  core: StreamFigures;
}

const JOB = {
  analysis_config: {
    bucket_span: '1h',
    detectors: [{
      function: 'metric', field_name: 'responsetime', by_field_name: 'airline',
    }],
  },
  data_description: { time_field: 'time', time_format: 'epoch' },
};
const BUCKET = 'ml-intake';

async function call(url: string, method = 'GET', body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`${method} ${url}: ${response.status} `
      + `${await response.text()}`);
  }
  return response.json() as Promise<Record<string, unknown>>;
}

interface Listed {
  uploads: Array<{
    state: string; error?: string;
    data_counts: { processed_record_count: number };
  }>;
}

/** Runs in the child: one object of about `totalBytes` through S3. */
export async function ingestOnce(
  dataDir: string, totalBytes: number,
): Promise<StreamFigures> {
  const ended = objectEnd();
  const stack = await startLocalStack({
    host: '127.0.0.1', port: 0, dataDir, s3Port: 0, auth: 'off',
    config: { bucketName: BUCKET }, logger: pino(ended.stream),
  });
  try {
    const job = `${stack.url}/_ml/anomaly_detectors/bench`;
    await call(job, 'PUT', JOB);
    await call(`${job}/_open`, 'POST');

    const source = epochBlocks(totalBytes);
    const size = source.passes * source.blockBytes;
    const s3 = createS3Client({ endpoint: stack.s3Url, region: 'us-east-1' });
    // Each block is copied: the HTTP stack may still hold the last one
    // when the generator rewrites it.
    const body = Readable.from((function* copies() {
      for (const block of source.blocks()) yield Buffer.from(block);
    })());
    await s3.send(new PutObjectCommand({
      Bucket: BUCKET, Key: 'jobs/bench/farequote.ndjson', Body: body,
      ContentLength: size,
    }));
    s3.destroy();
    const startRssBytes = process.memoryUsage.rss();
    const started = performance.now();
    const endedMs = await ended.at;
    const seconds = (endedMs - started) / 1000;
    const done = await uploadOf(`${job}/_uploads`);
    const records = source.passes * source.blockRecords;
    if (done.data_counts.processed_record_count !== records) {
      throw new Error(`s3 ingestion: ${JSON.stringify(done)}`);
    }
    return {
      bytes: size, records, seconds,
      peakRssBytes: peakRssBytes(), startRssBytes,
    };
  } finally {
    await stack.close();
  }
}

/**
 * The moment the ingest handler logs the end of an object: polling
 * `_uploads` instead would cost the counting process a request to the
 * in-process DynamoDB stand-in every few milliseconds.
 */
function objectEnd(): { stream: Writable; at: Promise<number> } {
  let resolve: (ms: number) => void = () => undefined;
  const at = new Promise<number>((done) => { resolve = done; });
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const line = chunk.toString();
      // One line a turn; the last says done or failed.
      if (line.includes('"msg":"object"') && !line.includes('"paused"')) {
        resolve(performance.now());
      }
      callback();
    },
  });
  return { stream, at };
}

async function uploadOf(url: string): Promise<Listed['uploads'][0]> {
  const { uploads } = await call(url) as unknown as Listed;
  const upload = uploads[0];
  if (upload?.state !== 'done') {
    throw new Error(`s3 ingestion did not end done: ${upload?.error}`);
  }
  return upload;
}

/** s3rver's file of the object: the one large file under its directory. */
async function storedObject(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const found = entries.find((e) => e.isFile()
    && e.name.startsWith('farequote.ndjson') && e.name.endsWith('_object'));
  if (found === undefined) throw new Error(`no stored object under ${dir}`);
  return join(found.parentPath, found.name);
}

/** The ingesting child, then the core on the same bytes from disk. */
export async function measureS3(totalBytes: number): Promise<S3Figures> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ml-intake-bench-s3-'));
  try {
    const ingest = await runChild(
      [process.argv[1], S3_CHILD_FLAG, dataDir, String(totalBytes)]);
    const core = await runCoreChild(
      ['file', await storedObject(join(dataDir, 's3'))]);
    return { ingest, core };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

function runChild(args: string[]): Promise<StreamFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args,
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (data: Buffer) => { out += data.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`s3 child exited with ${code}`));
        return;
      }
      resolve(JSON.parse(out) as StreamFigures);
    });
  });
}
