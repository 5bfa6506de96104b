/**
 * End-to-end figures: whole uploads through the service as it runs on one
 * machine. Each case either gives a row or says why it was skipped.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startLocalStack } from '../../infra/local/stack.js';
import { buildCase, loadFarequote, SHAPES } from './data.js';

export interface EndToEndRow {
  name: string;
  bytes: number;
  records: number;
  seconds: number;
}

export interface EndToEndCase {
  name: string;
  description: string;
  /** A row, or the reason the case cannot run in this build. */
  run: () => Promise<EndToEndRow | { skipped: string }>;
}

const MiB = 1024 * 1024;
const HTTP_UPLOAD_BYTES = 100 * MiB;

const JOB = {
  analysis_config: {
    bucket_span: '1h',
    detectors: [{
      function: 'metric', field_name: 'responsetime', by_field_name: 'airline',
    }],
  },
  data_description: { time_field: 'time', time_format: 'epoch' },
};

async function call(url: string, method: string, body?: unknown) {
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

/** 100 MB of farequote NDJSON in one POST to the local HTTP server. */
async function httpUpload(): Promise<EndToEndRow> {
  const upload = buildCase(SHAPES[0], loadFarequote(), HTTP_UPLOAD_BYTES);
  const dataDir = await mkdtemp(join(tmpdir(), 'ml-intake-bench-'));
  const stack = await startLocalStack({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    s3Port: 0,
    auth: 'off',
    config: { maxBodyBytes: 2 * HTTP_UPLOAD_BYTES },
    logger: pino({ level: 'silent' }),
  });
  try {
    const job = `${stack.url}/_ml/anomaly_detectors/bench`;
    await call(job, 'PUT', JOB);
    await call(`${job}/_open`, 'POST');
    const started = performance.now();
    const response = await fetch(`${job}/_data`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: upload.bytes,
    });
    const counts = await response.json() as Record<string, unknown>;
    const seconds = (performance.now() - started) / 1000;
    if (counts.processed_record_count !== upload.records) {
      throw new Error(`http upload: ${JSON.stringify(counts)}`);
    }
    return {
      name: 'http upload', bytes: upload.bytes.length,
      records: upload.records, seconds,
    };
  } finally {
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export const END_TO_END: EndToEndCase[] = [
  {
    name: 'http upload',
    description: '100 MB NDJSON POSTed to the local server (startLocalStack)',
    run: httpUpload,
  },
];
