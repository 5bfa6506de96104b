import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { farequoteRows } from '../support/sharedData.js';
import { servedEachTest } from '../support/stackProcess.js';

const served = servedEachTest('killed');
// A busy job answers 429 at once rather than after 10 s.
const serve = () => served.serve({ ML_LEASE_WAIT_MS: '0' });

const JOB_PATH = '/_ml/anomaly_detectors/k9h';
const job = {
  analysis_config: { bucket_span: '1h', detectors: [{ function: 'mean',
    field_name: 'responsetime', by_field_name: 'airline' }] },
  // A pattern is the slowest time format: the cut upload counts longer.
  data_description: { time_field: 'time',
    time_format: "yyyy-MM-dd'T'HH:mm:ssZ" },
};

// farequote.csv's rows with their times as the file has them.
const farequote = farequoteRows().map((row) => JSON.stringify({
  time: row.time, airline: row.airline, responsetime: row.responsetime,
  sourcetype: row.sourcetype,
})).join('\n') + '\n';

const post = (url: string, body: string | Buffer, gzip = false) => fetch(
  `${url}${JOB_PATH}/_data`, { method: 'POST', body, headers: {
    'content-type': 'application/json',
    ...gzip ? { 'content-encoding': 'gzip' } : {},
  } });

const counts = async (url: string) => (await (await fetch(
  `${url}${JOB_PATH}/_stats`)).json() as any).jobs[0].data_counts;

/**
 * Starts the upload of `gzipped` and resolves, with its answer still to
 * come, once it holds the job: an empty post then gets 429. A gzip body
 * is inflated a piece at a time, so the server answers other requests
 * while it counts one. An upload that came while a probe held the job
 * got 429 itself, and is sent again.
 */
async function uploadHoldingJob(
  url: string, gzipped: Buffer,
): Promise<{ upload: Promise<number | 'cut off'> }> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    let ended: number | 'cut off' | undefined;
    const upload = post(url, gzipped, true).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status;
      }, () => 'cut off' as const);
    void upload.then((outcome) => { ended = outcome; });
    while (ended === undefined && Date.now() < deadline) {
      const probe = await fetch(`${url}${JOB_PATH}/_data`, { method: 'POST' });
      await probe.arrayBuffer();
      // Wrapped: a promise returned as it is would be awaited with it.
      if (probe.status === 429 && ended === undefined) return { upload };
    }
    if (ended !== 429) {
      throw new Error(`the upload ended (${ended}) before a probe found it`);
    }
  }
  throw new Error('the upload never held the job');
}

describe('a server killed with SIGKILL during an HTTP upload', () => {
  test('starts again with the job free and the upload not counted',
    async () => {
      const first = await serve();
      await fetch(`${first.url}${JOB_PATH}`, { method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(job) });
      await fetch(`${first.url}${JOB_PATH}/_open`, { method: 'POST' });
      // farequote 10 times over: 88 MB inflated, most of a second of
      // counting on a 2-core machine.
      const cut = await uploadHoldingJob(first.url,
        gzipSync(farequote.repeat(10)));
      await first.kill();
      // The upload got no answer.
      expect(await cut.upload).toBe('cut off');

      const second = await serve();
      const before = await counts(second.url);
      const answer = await post(second.url, farequote);
      const posted = await answer.json() as any;
      const after = await counts(second.url);

      expect(before.processed_record_count).toBe(0);
      expect(before.input_bytes).toBe(0);
      expect(answer.status).toBe(202);
      // farequote.csv has 86,275 rows in time order. A record of 4
      // fields adds 4 - 1 to input_field_count (spec 6.4); airline and
      // responsetime are its analysed fields.
      expect(posted.processed_record_count).toBe(86_275);
      expect(after).toMatchObject({
        processed_record_count: 86_275, input_record_count: 86_275,
        input_bytes: Buffer.byteLength(farequote),
        input_field_count: 3 * 86_275, processed_field_count: 2 * 86_275,
        invalid_date_count: 0, out_of_order_timestamp_count: 0,
      });
    });
});
