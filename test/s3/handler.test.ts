import type { SQSEvent } from 'aws-lambda';
import { pino } from 'pino';
import { beforeAll, describe, expect, test } from 'vitest';
import { createS3IngestHandler, objectsCreated } from
  '../../functions/s3-ingest.js';
import {
  decodeEventKey, encodeEventKey, jobIdOfKey, uploadKeyOf,
} from '../../lib/jobs/objectKeys.js';
import {
  ingestDeps, openJob, putObject, records, setUpTable, totalsOf,
  uniqueJobId,
} from './fixture.js';

beforeAll(setUpTable);

const silent = pino({ level: 'silent' });
const lambda = { getRemainingTimeInMillis: () => 300_000 };

function messageOf(id: string, body: unknown): SQSEvent['Records'][number] {
  return {
    messageId: id, receiptHandle: id, body: JSON.stringify(body),
    attributes: {} as never, messageAttributes: {}, md5OfBody: '',
    eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:1:q',
    awsRegion: 'us-east-1',
  };
}

const created = (key: string, eTag: string) => ({
  Records: [{ eventName: 'ObjectCreated:Put', eventTime:
    '2026-01-01T00:00:00.000Z', s3: { object: { key, eTag, size: 1 } } }],
});

describe('object keys', () => {
  test('decodes keys as S3 encodes them in events', () => {
    // S3 sends `a b+c.json` as `a+b%2Bc.json`.
    expect(decodeEventKey('jobs/j/a+b%2Bc.json')).toBe('jobs/j/a b+c.json');
    expect(encodeEventKey('jobs/j/a b+c.json')).toBe('jobs/j/a+b%2Bc.json');
  });

  test('takes the job id from the first segment under jobs/', () => {
    expect(jobIdOfKey('jobs/farequote/x/y.json')).toBe('farequote');
    expect(jobIdOfKey('jobs/farequote/')).toBeUndefined();
    expect(jobIdOfKey('other/farequote/y.json')).toBeUndefined();
  });

  test.each(['', '.', '..', 'a/b', 'a\\b', 'tab\there', 'x'.repeat(256),
    'half \ud800 pair'])(
    'refuses the file name %j', (name) => {
      expect(() => uploadKeyOf('j', name, 0)).toThrowError(
        expect.objectContaining({ status: 400,
          type: 'illegal_argument_exception' }));
    });

  test('keeps a good file name and makes unique default ones', () => {
    expect(uploadKeyOf('j', 'day 1.ndjson.gz', 0))
      .toBe('jobs/j/day 1.ndjson.gz');
    const first = uploadKeyOf('j', undefined, 0);
    expect(first).toMatch(
      /^jobs\/j\/upload-19700101T000000000Z-[0-9a-f-]{36}$/);
    expect(uploadKeyOf('j', undefined, 0)).not.toBe(first);
  });
});

describe('the ingest handler', () => {
  test('ignores the test event S3 sends when notifications are set up',
    () => {
      expect(objectsCreated(JSON.stringify({ Event: 's3:TestEvent',
        Service: 'Amazon S3' }))).toEqual([]);
    });

  test('answers only the failed messages, and lets an unknown job go',
    async () => {
      const jobId = uniqueJobId('handler');
      await openJob(jobId);
      const key = `jobs/${jobId}/a b+c.json`;
      const line = '{"time":1449446400,"airline":"AAL","responsetime":"1"}';
      const etag = await putObject(key, line);
      const ghost = `jobs/${uniqueJobId('none')}/x.json`;
      const ghostEtag = await putObject(ghost, line);
      const handler = createS3IngestHandler({ ingest: ingestDeps(4096),
        logger: silent });

      const answer = await handler({ Records: [
        messageOf('good', created(encodeEventKey(key), etag)),
        messageOf('ghost', created(encodeEventKey(ghost), ghostEtag)),
        messageOf('broken', 'not an S3 event'),
        messageOf('test', { Event: 's3:TestEvent' }),
      ] }, lambda);

      expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'broken' }]);
      expect(await totalsOf(jobId)).toMatchObject({
        processed_record_count: 1 });
      expect((await records.get(jobId, key, etag))?.state).toBe('done');
    });

  test('hands back the message of an object stopped at its deadline',
    async () => {
      const jobId = uniqueJobId('deadline');
      await openJob(jobId);
      const key = `jobs/${jobId}/two.json`;
      const etag = await putObject(key,
        '{"time":1449446400}\n{"time":1449446401}\n');
      const handler = createS3IngestHandler({ ingest: ingestDeps(10),
        logger: silent });
      // Below the 1 s margin of ingestDeps after the first commit.
      const late = { getRemainingTimeInMillis: () => 500 };

      const answer = await handler({ Records: [
        messageOf('m', created(key, etag)),
      ] }, late);

      expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'm' }]);
    });
});

describe('when a message comes back', () => {
  function recordingDelayer() {
    const delays: number[] = [];
    return {
      delays,
      delayer: {
        retryAfter: async (_handle: string, seconds: number) => {
          delays.push(seconds);
        },
      },
    };
  }

  const twoRecords = '{"time":1449446400}\n{"time":1449446401}\n';
  const received = (message: SQSEvent['Records'][number], count: number) =>
    ({ ...message, attributes: { ApproximateReceiveCount: String(count) } as
      never });

  test('a paused object comes back after a second, a failed turn after a '
    + 'minute', async () => {
    const jobId = uniqueJobId('delays');
    await openJob(jobId);
    const key = `jobs/${jobId}/two.json`;
    const etag = await putObject(key, twoRecords);
    const { delays, delayer } = recordingDelayer();
    const failingHead = { ...ingestDeps(21).objects,
      head: async () => { throw new Error('S3 is down'); } };
    const late = { getRemainingTimeInMillis: () => 500 };

    await createS3IngestHandler({ ingest: ingestDeps(21), logger: silent,
      delayer, maxReceives: 50 })({ Records: [
      received(messageOf('m', created(key, etag)), 1)] }, late);
    await createS3IngestHandler({ ingest: { ...ingestDeps(21),
      objects: failingHead }, logger: silent, delayer, maxReceives: 50 })(
      { Records: [received(messageOf('m', created(key, etag)), 2)] },
      lambda);

    expect(delays).toEqual([1, 60]);
  });

  test('at its last receive an object that would come back is recorded '
    + 'failed, and its message goes on to the dead-letter queue',
  async () => {
    const jobId = uniqueJobId('last');
    await openJob(jobId);
    const key = `jobs/${jobId}/two.json`;
    const etag = await putObject(key, twoRecords);
    const { delays, delayer } = recordingDelayer();
    const late = { getRemainingTimeInMillis: () => 500 };

    const answer = await createS3IngestHandler({ ingest: ingestDeps(21),
      logger: silent, delayer, maxReceives: 3 })({ Records: [
      received(messageOf('m', created(key, etag)), 3)] }, late);

    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'm' }]);
    expect(delays).toEqual([]);
    // The first record (20 bytes) was committed before the turn stopped.
    expect(await records.get(jobId, key, etag)).toMatchObject({
      state: 'failed', bytesDone: 20,
      error: 'its ingestion did not finish in 3 deliveries; at the last '
        + 'one it was still part-way' });
    expect(await totalsOf(jobId)).toMatchObject({
      processed_record_count: 1 });
  });
});

describe('giving an object up after its last try', () => {
  test('records it failed, frees the job and keeps what was committed',
    async () => {
      const { giveUpObject } = await import('../../lib/jobs/giveUpObject.js');
      const { ingestObject } = await import('../../lib/jobs/ingestObject.js');
      const { store, turnOf } = await import('./fixture.js');
      const jobId = uniqueJobId('give-up');
      await openJob(jobId);
      const key = `jobs/${jobId}/two.json`;
      // Two records of 20 bytes and their newlines; chunks of 21 bytes.
      const etag = await putObject(key,
        '{"time":1449446400}\n{"time":1449446401}\n');
      const paused = await ingestObject(ingestDeps(21), { key, etag },
        turnOf(1));

      await giveUpObject(ingestDeps(21), { key, etag }, 'no more tries');

      expect(paused.kind).toBe('paused');
      // The first chunk ends just after the first newline; the commit
      // point is the end of the first record (20 bytes), since the reader
      // cannot yet tell where the separators after it end.
      expect(await records.get(jobId, key, etag)).toMatchObject({
        state: 'failed', error: 'no more tries', bytesDone: 20 });
      const state = await store.getState(jobId);
      expect(state?.ingest).toBeNull();
      expect(state?.lease).toBeNull();
      expect(await totalsOf(jobId)).toMatchObject({
        processed_record_count: 1, input_bytes: 20 });
    });
});

describe('an object whose CSV header lacks the job\'s fields', () => {
  test('is recorded failed with the reason, cut to 1,000 characters, and '
    + 'logged without the header', async () => {
    const jobId = uniqueJobId('header');
    await openJob(jobId, {
      analysis_config: { bucket_span: '1h',
        detectors: [{ function: 'mean', field_name: 'v' }] },
      data_description: { format: 'delimited', field_delimiter: ',',
        time_field: 'time', time_format: 'epoch' },
    });
    // A header of 20,000 columns of 27 bytes: over 500 KB, more than an
    // item holds, none of them `v`.
    const columns = Array.from({ length: 20_000 },
      (_, i) => `secret-column-marker-${String(i).padStart(5, '0')}`);
    const key = `jobs/${jobId}/wide.csv`;
    const etag = await putObject(key,
      `time,${columns.join(',')}\n1449446400,${columns.map(() => '1')}\n`);
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, {
      write: (line: string) => { lines.push(line); },
    });
    const deps = ingestDeps(4096);
    deps.config = { ...deps.config, readerLimits: { ...deps.config
      .readerLimits, maxFieldsPerRecord: 30_000 } };

    const answer = await createS3IngestHandler({ ingest: deps, logger })(
      { Records: [messageOf('m', created(key, etag))] }, lambda);

    expect(answer.batchItemFailures).toEqual([]);
    const error = (await records.get(jobId, key, etag))?.error ?? '';
    expect(error.startsWith("Field configured for analysis 'v' is not in "
      + "the CSV header '[time, secret-column-marker-00000")).toBe(true);
    expect(error).toHaveLength(1000);
    expect(lines.join('')).toContain('"outcome":"failed"');
    expect(lines.join('')).not.toContain('secret-column-marker');
  });
});
