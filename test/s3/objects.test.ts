import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, test } from 'vitest';
import { ingestObject } from '../../lib/jobs/ingestObject.js';
import { farequoteEpochNdjson, farequoteRows, readSharedData } from
  '../support/sharedData.js';
import {
  config, endlessTurn, ingestDeps, ingestUntilEnd, jobs, openJob, postOnce,
  putObject, records, setUpTable, store, totalsOf, turnOf, uniqueJobId,
} from './fixture.js';

beforeAll(setUpTable);

const encode = (text: string) => new TextEncoder().encode(text);
const rows = farequoteRows();
// The first 2,000 rows of farequote.csv, all in time order.
const ndjson = encode(farequoteEpochNdjson(rows.slice(0, 2_000)));

async function cleanTotals(body: Uint8Array, job?: object) {
  const jobId = uniqueJobId('clean');
  await openJob(jobId, job);
  await postOnce(jobId, body);
  return totalsOf(jobId);
}

async function objectFor(
  prefix: string, name: string, body: Uint8Array | string, job?: object,
) {
  const jobId = uniqueJobId(prefix);
  await openJob(jobId, job);
  const key = `jobs/${jobId}/${name}`;
  return { jobId, key, etag: await putObject(key, body) };
}

describe('object formats', () => {
  test('a gzip object stopped every 5 chunks counts as the plain records',
    async () => {
      const { jobId, key, etag } = await objectFor('gzip', 'part.ndjson.gz',
        gzipSync(ndjson));

      const { outcome, turns } = await ingestUntilEnd(ingestDeps(4096), key,
        etag, () => turnOf(5));

      expect(outcome.kind).toBe('done');
      expect(turns).toBeGreaterThan(1);
      const totals = await totalsOf(jobId);
      expect(totals).toEqual(await cleanTotals(ndjson));
      // input_bytes counts the inflated bytes, as for a gzip HTTP body.
      expect(totals).toMatchObject({ processed_record_count: 2_000,
        input_bytes: ndjson.length });
    });

  test('a CSV object of a delimited job counts every row', async () => {
    // A header line, then the first 5,000 rows of the file, CRLF as in it.
    const csv = encode('time,airline,responsetime,sourcetype\r\n'
      + readSharedData('farequote.csv').split('\r\n').slice(0, 5_000)
        .map((line) => `${line}\r\n`).join(''));
    const delimited = {
      analysis_config: {
        bucket_span: '3600s',
        detectors: [{ function: 'mean', field_name: 'responsetime',
          by_field_name: 'airline' }],
      },
      data_description: { format: 'delimited', field_delimiter: ',',
        time_field: 'time', time_format: "yyyy-MM-dd'T'HH:mm:ssZ" },
    };
    const { jobId, key, etag } = await objectFor('csv', 'part.csv', csv,
      delimited);

    const { outcome } = await ingestUntilEnd(ingestDeps(4096), key, etag,
      () => turnOf(3));

    expect(outcome.kind).toBe('done');
    const totals = await totalsOf(jobId);
    expect(totals).toEqual(await cleanTotals(csv, delimited));
    expect(totals).toMatchObject({
      processed_record_count: 5_000, invalid_date_count: 0,
      missing_field_count: 0, out_of_order_timestamp_count: 0,
      // The file's first row: 2015-12-07T00:00:00+0000.
      earliest_record_timestamp: 1_449_446_400_000,
    });
  });

  test('a record cut inside a multi-byte character by a chunk edge counts',
    async () => {
      const text = [
        { time: 1449446400, airline: 'Ünïcødé', responsetime: '1.5' },
        { time: 1449446460, airline: '日本航空', responsetime: '2.5' },
        { time: 1449446520, airline: 'Ελληνικά', responsetime: '3.5' },
      ].map((record) => JSON.stringify(record)).join('\n');
      const bytes = encode(text);
      const CHUNK = 5;
      // Some chunk edge falls on a UTF-8 continuation byte (10xxxxxx).
      const cutsInside = Array.from({ length: bytes.length / CHUNK | 0 },
        (_, i) => bytes[(i + 1) * CHUNK]).some((b) => (b & 0xc0) === 0x80);
      expect(cutsInside).toBe(true);
      const { jobId, key, etag } = await objectFor('utf8', 'u.json', bytes);

      // Each turn stops after its first commit, which comes once a record
      // is complete: the second record's start is where turn 2 begins.
      const { outcome, turns } = await ingestUntilEnd(ingestDeps(CHUNK), key,
        etag, () => turnOf(1));

      expect(outcome.kind).toBe('done');
      expect(turns).toBe(3);
      const totals = await totalsOf(jobId);
      expect(totals).toEqual(await cleanTotals(bytes));
      // Three records, each with time, airline and responsetime.
      expect(totals).toMatchObject({ processed_record_count: 3,
        input_bytes: bytes.length, missing_field_count: 0,
        earliest_record_timestamp: 1_449_446_400_000,
        latest_record_timestamp: 1_449_446_520_000 });
    });

  test('an empty object is done with zero counts', async () => {
    const { jobId, key, etag } = await objectFor('empty', 'none.json', '');

    const outcome = await ingestObject(ingestDeps(4096), { key, etag },
      endlessTurn);

    expect(outcome.kind).toBe('done');
    expect(await totalsOf(jobId)).toMatchObject({
      processed_record_count: 0, input_bytes: 0, input_record_count: 0 });
    expect(await records.get(jobId, key, etag)).toMatchObject({
      state: 'done', bytesTotal: 0, error: null });
  });
});

describe('objects that cannot be counted', () => {
  test('an object for an unknown job is let go with nothing recorded, so '
    + 'a job made later under that id counts it when it is sent again',
  async () => {
    const jobId = uniqueJobId('ghost');
    const key = `jobs/${jobId}/lost.json`;
    const etag = await putObject(key, ndjson);

    const outcome = await ingestObject(ingestDeps(4096), { key, etag },
      endlessTurn);

    expect(outcome).toEqual({ kind: 'ignored',
      reason: `No known job with id '${jobId}'` });
    expect(await records.get(jobId, key, etag)).toBeUndefined();
    expect(await store.getState(jobId)).toBeUndefined();

    await openJob(jobId);
    const again = await ingestObject(ingestDeps(4096), { key, etag },
      endlessTurn);
    expect(again.kind).toBe('done');
    expect(await totalsOf(jobId)).toMatchObject({
      processed_record_count: 2_000 });
  });

  test('an object for a closed job is recorded failed, nothing counted',
    async () => {
      const jobId = uniqueJobId('closed');
      await jobs.putJob(jobId, (await import('./fixture.js')).farequoteJob());
      const key = `jobs/${jobId}/early.json`;
      const etag = await putObject(key, ndjson);

      const outcome = await ingestObject(ingestDeps(4096), { key, etag },
        endlessTurn);

      expect(outcome.kind).toBe('failed');
      expect((await records.get(jobId, key, etag))?.error).toBe(
        `Cannot perform requested action because job [${jobId}] is not open`);
      expect(await totalsOf(jobId)).toMatchObject({
        processed_record_count: 0, input_bytes: 0 });
      const state = await store.getState(jobId);
      expect(state?.lease).toBeNull();
      expect(state?.ingest).toBeNull();
    });

  test('a malformed object is recorded failed and earlier chunks stay',
    async () => {
      // Three records of 61 bytes, then one of 3,000 bytes over the limit.
      const good = [1449446400, 1449446460, 1449446520].map((time) =>
        JSON.stringify({ time, airline: 'AAL', responsetime: '132.2046' }));
      const huge = JSON.stringify({ time: 1449446580, airline: 'x'.repeat(
        3_000), responsetime: '1' });
      const text = `${good.join('\n')}\n${huge}\n`;
      expect(good.map((line) => line.length)).toEqual([61, 61, 61]);
      const { jobId, key, etag } = await objectFor('bad', 'bad.json', text);
      const limited = { ...ingestDeps(256), config: { ...config,
        readerLimits: { ...config.readerLimits, maxRecordBytes: 2048 } } };

      const outcome = await ingestObject(limited, { key, etag }, endlessTurn);

      expect(outcome.kind).toBe('failed');
      expect((await records.get(jobId, key, etag))?.error).toBe(
        'A record is larger than the limit of 2048 bytes (ML_MAX_RECORD_BYTES).');
      expect(await totalsOf(jobId)).toMatchObject({
        processed_record_count: 3,
        // Three lines of 61 bytes and their newlines.
        input_bytes: 3 * 62,
      });
      expect((await store.getState(jobId))?.lease).toBeNull();
    });

  test('an object replaced part-way stops, and counts nothing of the new '
    + 'version until its own event', async () => {
    const { jobId, key, etag } = await objectFor('swap', 'swap.ndjson',
      ndjson);
    const deps = ingestDeps(16 * 1024);
    const first = await ingestObject(deps, { key, etag }, turnOf(1));
    expect(first.kind).toBe('paused');
    const afterFirst = await totalsOf(jobId);
    const later = encode(farequoteEpochNdjson(rows.slice(2_000, 2_100)));
    const newEtag = await putObject(key, later);

    const stopped = await ingestObject(deps, { key, etag }, endlessTurn);
    const replaced = await ingestObject(deps, { key, etag: newEtag },
      endlessTurn);

    expect(stopped.kind).toBe('failed');
    expect((await records.get(jobId, key, etag))?.error).toContain(
      'changed while it was being read');
    expect(replaced.kind).toBe('done');
    const totals = await totalsOf(jobId);
    // What the first chunk committed, then the 100 rows of the new version.
    expect(totals.processed_record_count).toBe(
      Number(afterFirst.processed_record_count) + 100);
  });
});

test('an HTTP upload while an object is part-way gets 429, and the two '
  + 'count as one after the other', async () => {
  const { jobId, key, etag } = await objectFor('mixed', 'part.ndjson',
    ndjson);
  const later = encode(farequoteEpochNdjson(rows.slice(2_000, 2_100)));
  const deps = ingestDeps(16 * 1024);

  const paused = await ingestObject(deps, { key, etag }, turnOf(2));
  const refused = postOnce(jobId, later);
  await expect(refused).rejects.toMatchObject({ status: 429,
    type: 'status_exception' });
  const rest = await ingestUntilEnd(deps, key, etag);
  await postOnce(jobId, later);

  expect(paused.kind).toBe('paused');
  expect(rest.outcome.kind).toBe('done');
  const sequential = uniqueJobId('sequential');
  await openJob(sequential);
  await postOnce(sequential, ndjson);
  await postOnce(sequential, later);
  expect(await totalsOf(jobId)).toEqual(await totalsOf(sequential));
});
