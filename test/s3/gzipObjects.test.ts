import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, test } from 'vitest';
import { startUpload } from '../../lib/counting/index.js';
import { ingestObject } from '../../lib/jobs/ingestObject.js';
import { inlineUpload } from '../../lib/jobs/countingThread.js';
import { toCountingConfig } from '../../lib/jobs/jobConfig.js';
import { feedGzipObject } from '../../lib/jobs/objectChunks.js';
import { farequoteEpochNdjson, farequoteRows } from '../support/sharedData.js';
import {
  config, endlessTurn, farequoteJob, ingestDeps, jobs, objects, openJob,
  putObject, records, setUpTable, store, totalsOf, turnOf, uniqueJobId,
} from './fixture.js';

beforeAll(setUpTable);

const encode = (text: string) => new TextEncoder().encode(text);
const rows = farequoteRows();
// The first 2,000 rows of farequote.csv, all in time order.
const ndjson = encode(farequoteEpochNdjson(rows.slice(0, 2_000)));

async function gzipObjectFor(prefix: string, body: Uint8Array) {
  const jobId = uniqueJobId(prefix);
  await openJob(jobId);
  const key = `jobs/${jobId}/part.ndjson.gz`;
  return { jobId, key, etag: await putObject(key, gzipSync(body)) };
}

describe('a gzip object that cannot be counted is recorded failed in the '
  + 'turn that finds out', () => {
  test('when a record in its middle is over the record size limit',
    async () => {
      // The 2,000 records, then one of about 3,000 bytes, then 2,000 more.
      const huge = JSON.stringify({ time: 1449446580,
        airline: 'x'.repeat(3_000), responsetime: '1' });
      const text = new TextDecoder().decode(ndjson);
      const body = encode(`${text}${huge}\n${text}`);
      const { jobId, key, etag } = await gzipObjectFor('gz-big', body);
      const limited = { ...ingestDeps(16 * 1024), config: { ...config,
        readerLimits: { ...config.readerLimits, maxRecordBytes: 2048 } } };

      const outcome = await ingestObject(limited, { key, etag }, endlessTurn);

      expect(outcome.kind).toBe('failed');
      expect((await records.get(jobId, key, etag))?.error).toBe(
        'A record is larger than the limit of 2048 bytes (ML_MAX_RECORD_BYTES).');
      // What the chunks before the big record committed stays, as for a
      // plain object: at most the 2,000 records before it.
      const { processed_record_count: kept } = await totalsOf(jobId);
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThanOrEqual(2_000);
      expect((await store.getState(jobId))?.lease).toBeNull();
    });

  test('when its deflate data is corrupt', async () => {
    const jobId = uniqueJobId('gz-corrupt');
    await openJob(jobId);
    const key = `jobs/${jobId}/part.ndjson.gz`;
    const bytes = gzipSync(ndjson);
    // Past the 10-byte header, garbage in the compressed blocks.
    bytes.fill(0xff, 20, 60);
    const etag = await putObject(key, bytes);

    const outcome = await ingestObject(ingestDeps(4096), { key, etag },
      endlessTurn);

    expect(outcome.kind).toBe('failed');
    expect((await records.get(jobId, key, etag))?.error).toMatch(
      /^The object is not valid gzip data: /);
  });

  test('when it is replaced part-way', async () => {
    const { jobId, key, etag } = await gzipObjectFor('gz-swap', ndjson);
    const deps = ingestDeps(4096);
    const first = await ingestObject(deps, { key, etag }, turnOf(1));
    expect(first.kind).toBe('paused');
    await putObject(key, gzipSync(ndjson.subarray(0, 100)));

    const stopped = await ingestObject(deps, { key, etag }, endlessTurn);

    expect(stopped.kind).toBe('failed');
    expect((await records.get(jobId, key, etag))?.error).toContain(
      'changed while it was being read');
    const state = await store.getState(jobId);
    expect(state?.lease).toBeNull();
    expect(state?.ingest).toBeNull();
  });
});

test('a gzip turn that stops at a deadline is paused, not an error',
  async () => {
    const { key, etag } = await gzipObjectFor('gz-pause', ndjson);

    const outcome = await ingestObject(ingestDeps(4096), { key, etag },
      turnOf(2));

    expect(outcome.kind).toBe('paused');
  });

test('resuming a gzip object whose skip outlasts the turn fails clearly',
  async () => {
    const jobId = uniqueJobId('gz-skip');
    await jobs.putJob(jobId, farequoteJob());
    const key = `jobs/${jobId}/part.ndjson.gz`;
    const bytes = gzipSync(ndjson);
    const etag = await putObject(key, bytes);
    const counting = toCountingConfig((await store.getJob(jobId))!);
    const state = (await store.getState(jobId))!.counting;
    const upload = inlineUpload(startUpload(counting, state, {
      now: Date.now, limits: config.readerLimits }));

    const fed = feedGzipObject({
      objects, key, etag, sizeBytes: bytes.length, chunkBytes: 4096,
      // Where an earlier turn stopped: the middle of the inflated bytes.
      resumeOffset: ndjson.length / 2, upload,
      afterChunk: async () => true, inTime: () => false,
    });

    await expect(fed).rejects.toMatchObject({ type: 'status_exception',
      message: expect.stringContaining(
        `The gzip object is too large to resume: inflating it again up to `
        + `byte ${ndjson.length / 2}`) });
  });
