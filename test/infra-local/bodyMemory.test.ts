import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  startServeProcess, type ServeProcess,
} from '../support/stackProcess.js';

const MiB = 1024 * 1024;
const JOBS = ['memory-a', 'memory-b'];
/**
 * What the server may hold per body byte in flight: its bytes, their
 * copy in the event and the handler's decoded bytes make 3 (an ASCII
 * body goes into the event as text, not a third larger in base64); the
 * rest is room for the counting. Before, the socket's chunks and their
 * join were both kept, and with base64 a body took 4.4 times its size.
 */
const BYTES_PER_BODY_BYTE = 3.5;

/** The resident memory of process `pid`, from Linux's /proc. */
function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
}

describe.skipIf(!existsSync('/proc/self/status'))(
  'the memory of bodies in flight', () => {
    let dataDir: string;
    let serve: ServeProcess;
    const call = (method: string, path: string, body?: string | Buffer) =>
      fetch(`${serve.url}/_ml/anomaly_detectors/${path}`, { method, body,
        headers: { 'content-type': 'application/json' } });
    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'ml-intake-memory-'));
      // The defaults: bodies of 100 MiB, 200 MiB of them in flight.
      serve = await startServeProcess(dataDir);
      for (const job of JOBS) {
        await call('PUT', job, JSON.stringify({
          analysis_config: { bucket_span: '1h', detectors: [
            { function: 'mean', field_name: 'responsetime' }] },
          data_description: { time_field: 'time', time_format: 'epoch' },
        }));
        await call('POST', `${job}/_open`);
      }
    });
    afterAll(async () => {
      await serve?.kill();
      await rm(dataDir, { recursive: true, force: true });
    });

    test('stays within 3.5 times the bytes of two 95 MiB posts', async () => {
      const record = '{"time":1403481602,"responsetime":132.2046}\n';
      const body = Buffer.from(record.repeat(Math.floor(95 * MiB
        / record.length)));
      // One small post each first, so that the code paths are loaded.
      for (const job of JOBS) await (await call('POST', `${job}/_data`,
        record)).text();
      const beforeBytes = rssBytes(serve.pid);
      let peakBytes = beforeBytes;
      const sampler = setInterval(() => {
        peakBytes = Math.max(peakBytes, rssBytes(serve.pid));
      }, 5);

      const statuses = await Promise.all(JOBS.map(async (job) => {
        const response = await call('POST', `${job}/_data`, body);
        await response.text();
        return response.status;
      }));
      clearInterval(sampler);

      expect(statuses).toEqual([202, 202]);
      const growth = peakBytes - beforeBytes;
      expect(growth).toBeLessThan(BYTES_PER_BODY_BYTE * 2 * body.length);
    });
  });
