import { beforeAll, describe, expect, test } from 'vitest';
import { repeatedFarequoteNdjson } from '../support/sharedData.js';
import {
  ingestDeps, uploads, ingestUntilEnd, openJob, postOnce, putObject, setUpTable,
  totalsOf, turnOf, uniqueJobId, withoutClocks,
} from './fixture.js';

beforeAll(setUpTable);

// farequote.csv three times over, each copy 5 days (432,000 s) later.
const body = new TextEncoder().encode(repeatedFarequoteNdjson(3));
const KiB = 1024;

describe.each([
  ['on a counting thread', true],
  ['in the ingesting thread', false],
])('a file of tens of MB through S3 in 64 KiB chunks, counted %s', (_,
  countingThread) => {
  test('counts exactly as the same records posted in one upload',
    async () => {
      const viaS3 = uniqueJobId('large-s3');
      const viaHttp = uniqueJobId('large-http');
      await openJob(viaS3);
      await openJob(viaHttp);
      const key = `jobs/${viaS3}/farequote-x4.ndjson`;
      const etag = await putObject(key, body);

      // Stop each turn after 100 chunks, as a Lambda near its deadline.
      const { outcome, turns } = await ingestUntilEnd(
        ingestDeps(64 * KiB, undefined, undefined, countingThread), key, etag,
        () => turnOf(100));
      const posted = await postOnce(viaHttp, body);

      expect(body.length).toBeGreaterThan(20 * 1024 * KiB);
      // ceil(bytes / 64 KiB) chunks, 100 per turn.
      expect(turns).toBe(Math.ceil(Math.ceil(body.length / (64 * KiB))
        / 100));
      expect(outcome.kind).toBe('done');
      if (outcome.kind !== 'done') return;
      const totals = await totalsOf(viaS3);
      expect(totals).toEqual(await totalsOf(viaHttp));
      expect(totals).toMatchObject({
        // 86,275 rows of farequote.csv, three times.
        processed_record_count: 258_825,
        input_bytes: body.length,
        invalid_date_count: 0,
        missing_field_count: 0,
        out_of_order_timestamp_count: 0,
        // 2015-12-07T00:00:00Z, and 2015-12-11T23:59:56Z + 2 × 432,000 s.
        earliest_record_timestamp: 1_449_446_400_000,
        latest_record_timestamp: 1_450_742_396_000,
      });
      // The object's own counts are the response of the one upload.
      const listed = await uploads.listUploads(viaS3, { human: false }) as {
        uploads: Array<{ state: string; data_counts: Record<string, unknown> }>;
      };
      expect(listed.uploads.map((upload) => upload.state)).toEqual(['done']);
      expect(withoutClocks(listed.uploads[0].data_counts))
        .toEqual(withoutClocks(posted));
    });
});
