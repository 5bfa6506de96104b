import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { startS3Server } from '../../infra/local/s3Server.js';
import { startLocalStack } from '../../infra/local/stack.js';
import { createS3Client } from '../../lib/store/objects.js';
import { farequoteEpochNdjson, farequoteRows } from '../support/sharedData.js';
import { servedEachTest } from '../support/stackProcess.js';

const { dataDir: folder, serve } = servedEachTest('crash');

const job = {
  analysis_config: { bucket_span: '1h', detectors: [{ function: 'mean',
    field_name: 'responsetime', by_field_name: 'airline' }] },
  data_description: { time_field: 'time', time_format: 'epoch' },
};

async function call(url: string, method: string, path: string,
  body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.json() as Promise<any>;
}

async function openJob(url: string, jobId: string) {
  await call(url, 'PUT', `/_ml/anomaly_detectors/${jobId}`, job);
  await call(url, 'POST', `/_ml/anomaly_detectors/${jobId}/_open`);
}

const uploads = async (url: string, jobId: string) => (await call(url, 'GET',
  `/_ml/anomaly_detectors/${jobId}/_uploads`)).uploads as any[];

/** The job's uploads once `count` of them have ended (20 s at most). */
async function ended(url: string, jobId: string, count: number) {
  for (let tries = 0; tries < 400; tries += 1) {
    const listed = await uploads(url, jobId);
    const done = listed.filter((u) => u.state === 'done'
      || u.state === 'failed');
    if (done.length >= count) return listed;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`fewer than ${count} objects of ${jobId} ended`);
}

const processed = async (url: string, jobId: string) => (await call(url,
  'GET', `/_ml/anomaly_detectors/${jobId}/_stats`))
  .jobs[0].data_counts.processed_record_count;

// farequote.csv is in time order; cut in three, its parts stay in order
// by key and by time: 60,000 + 13,000 + 13,275 = 86,275 rows.
const rows = farequoteRows();
const parts = [rows.slice(0, 60_000), rows.slice(60_000, 73_000),
  rows.slice(73_000)].map((part) => farequoteEpochNdjson(part));

describe('a restart of the local stack', () => {
  test('ingests objects whose events were lost before it started',
    async () => {
      const options = {
        host: '127.0.0.1', port: 0, s3Port: 0, dataDir: folder(),
        auth: 'off' as const,
        logger: pino({ level: 'silent' }),
      };
      const first = await startLocalStack(options);
      await openJob(first.url, 'lost');
      await first.close();
      // Put while nothing listened to s3rver's events.
      const s3 = await startS3Server({ host: '127.0.0.1', port: 0,
        directory: join(folder(), 's3'), bucketName: 'ml-intake' });
      const client = createS3Client({ endpoint: s3.url });
      for (const [i, body] of parts.slice(1).entries()) {
        await client.send(new PutObjectCommand({ Bucket: 'ml-intake',
          Key: `jobs/lost/part-${i + 2}.ndjson`, Body: body }));
      }
      client.destroy();
      await s3.close();

      const second = await startLocalStack(options);
      await second.ingestIdle();
      const listed = await uploads(second.url, 'lost');
      const total = await processed(second.url, 'lost');
      await second.close();

      expect(listed.map((u) => [u.key, u.state])).toEqual([
        ['jobs/lost/part-2.ndjson', 'done'],
        ['jobs/lost/part-3.ndjson', 'done']]);
      expect(total).toBe(13_000 + 13_275);
    });

  test('after kill -9 ingests the object cut short and those behind it',
    async () => {
      // Commits every 16 KiB, so the first part takes some seconds.
      const env = { ML_CHUNK_BYTES: '16384' };
      const first = await serve(env);
      await openJob(first.url, 'killed');
      const client = createS3Client({ endpoint: first.s3Url });
      for (const [i, body] of parts.entries()) {
        await client.send(new PutObjectCommand({ Bucket: 'ml-intake',
          Key: `jobs/killed/part-${i + 1}.ndjson`, Body: body }));
      }
      client.destroy();
      let before: any[] = [];
      for (let tries = 0; tries < 400; tries += 1) {
        before = await uploads(first.url, 'killed');
        if (before[0]?.state === 'ingesting' && before[0].bytes_done > 0) {
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await first.kill();

      const second = await serve(env);
      const after = await ended(second.url, 'killed', 3);
      const total = await processed(second.url, 'killed');
      await second.kill();

      // Killed part-way through the first; the other two, when listed
      // yet, were waiting their turn.
      expect(before[0].state).toBe('ingesting');
      expect(before.slice(1).map((u) => u.state))
        .toEqual(before.slice(1).map(() => 'queued'));
      expect(after.map((u) => [u.key, u.state,
        u.data_counts.processed_record_count])).toEqual([
        ['jobs/killed/part-1.ndjson', 'done', 60_000],
        ['jobs/killed/part-2.ndjson', 'done', 13_000],
        ['jobs/killed/part-3.ndjson', 'done', 13_275]]);
      expect(total).toBe(86_275);
    });
});
