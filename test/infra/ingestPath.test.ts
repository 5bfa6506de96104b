import type { SQSEvent } from 'aws-lambda';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { createS3IngestHandler } from '../../functions/s3-ingest.js';
import type { IngestDeps } from '../../lib/jobs/ingestObject.js';
import { createDynamoClient } from '../../lib/store/clients.js';
import { createDynamoJobStore } from '../../lib/store/dynamoStore.js';
import { createObjectRecords } from '../../lib/store/objectRecords.js';
import { createObjectStore, createS3Client } from '../../lib/store/objects.js';
import { createMessageDelayer } from '../../lib/store/queue.js';
import {
  bucket, config, openJob, putObject, setUpTable, tableName, turnOf,
  uniqueJobId,
} from '../s3/fixture.js';
import { ingestCommands } from './expected.js';
import {
  type SqsEndpoint, sqsClientFor, startSqsEndpoint,
} from './sqsEndpoint.js';

// The ingest role grants what ingestCommands lists and nothing more; here
// the handler, its give-up on a last receive included, runs on clients
// that note every command they send, so a command added to the path
// without its grant, or a grant no longer used, fails this test.

const sent = new Map<string, Set<string>>();

// Loosely typed: the one middleware goes on three clients of different types.
type Handler = (args: any) => Promise<any>;
const noteCommand = (
  next: Handler, context: { clientName?: string; commandName?: string },
): Handler => (args) => {
  const client = String(context.clientName);
  const commands = sent.get(client) ?? new Set<string>();
  sent.set(client, commands.add(String(context.commandName)));
  return next(args);
};
const noting = { step: 'initialize', name: 'noteCommand' } as const;

let sqs: SqsEndpoint;
let deps: IngestDeps;
let sqsClient: ReturnType<typeof sqsClientFor>;

beforeAll(async () => {
  await setUpTable();
  sqs = await startSqsEndpoint();
  const dynamo = createDynamoClient({ endpoint: inject('dynamoUrl') });
  const s3 = createS3Client({ endpoint: inject('s3Url') });
  sqsClient = sqsClientFor(sqs.url);
  dynamo.middlewareStack.add(noteCommand, noting);
  s3.middlewareStack.add(noteCommand, noting);
  sqsClient.middlewareStack.add(noteCommand, noting);
  deps = {
    store: createDynamoJobStore(dynamo, tableName),
    records: createObjectRecords(dynamo, tableName),
    objects: createObjectStore(s3, bucket),
    config, now: Date.now,
    settings: {
      chunkBytes: 4096, holdMs: 60_000, marginMs: 1_000,
      countingThread: false,
    },
  };
});

afterAll(() => sqs.close());

const line = '{"time":1449446400,"airline":"AAL","responsetime":"132.2"}\n';

function messageOf(id: string, key: string, eTag: string, receives = 1) {
  const s3Event = { Records: [{ eventName: 'ObjectCreated:Put',
    eventTime: '2026-01-01T00:00:00.000Z',
    s3: { object: { key, eTag, size: 1 } } }] };
  return { Records: [{
    messageId: id, receiptHandle: `handle-${id}`,
    body: JSON.stringify(s3Event),
    attributes: { ApproximateReceiveCount: String(receives) },
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:ingest',
  }] } as unknown as SQSEvent;
}

const forEver = { getRemainingTimeInMillis: () => 3_600_000 };
/** A turn whose time runs out at its first commit. */
const oneChunk = () => ({ getRemainingTimeInMillis: turnOf(1).remainingMs });

test('the ingest path sends exactly the commands its role grants',
  async () => {
    const jobId = uniqueJobId('grants');
    await openJob(jobId);
    // 200 lines of 59 bytes: 11,800 bytes, three chunks of 4,096.
    const body = line.repeat(200);
    expect(body.length).toBe(11_800);
    const key = `jobs/${jobId}/whole.ndjson`;
    const etag = await putObject(key, body);
    const given = `jobs/${jobId}/given-up.ndjson`;
    const givenEtag = await putObject(given, body);
    const ghost = `jobs/${uniqueJobId('none')}/x.ndjson`;
    const ghostEtag = await putObject(ghost, line);
    const handler = createS3IngestHandler({
      ingest: deps, logger: pino({ level: 'silent' }), maxReceives: 3,
      delayer: createMessageDelayer(sqsClient,
        `${sqs.url}/000000000000/ingest`),
    });

    // Stops after a chunk and asks for its message back, then ends.
    const paused = await handler(messageOf('a', key, etag), oneChunk());
    expect(paused.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
    expect(sqs.requests.map((request) => request.target))
      .toEqual(['AmazonSQS.ChangeMessageVisibility']);
    const done = await handler(messageOf('b', key, etag), forEver);
    expect(done.batchItemFailures).toEqual([]);
    // An unknown job's object is let go.
    const unknown = await handler(messageOf('c', ghost, ghostEtag), forEver);
    expect(unknown.batchItemFailures).toEqual([]);
    // Stopped part-way at its first receive and again at its last (the
    // third), which records it failed instead of asking it back.
    await handler(messageOf('d', given, givenEtag), oneChunk());
    const last = await handler(messageOf('d', given, givenEtag, 3),
      oneChunk());
    expect(last.batchItemFailures).toEqual([{ itemIdentifier: 'd' }]);
    expect(await deps.records.get(jobId, given, givenEtag))
      .toMatchObject({ state: 'failed' });

    const byClient = Object.fromEntries([...sent].map(
      ([client, commands]) => [client, [...commands].sort()]));
    expect(byClient).toEqual(Object.fromEntries(
      Object.entries(ingestCommands).map(
        ([client, commands]) => [client, [...commands].sort()])));
  });
