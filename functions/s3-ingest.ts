import type {
  S3Event, S3EventRecord, SQSBatchResponse, SQSEvent, SQSRecord,
} from 'aws-lambda';
import { pino, type Logger } from 'pino';
import { errorSummary } from '../lib/api/errorSummary.js';
import { loadConfig } from '../lib/config.js';
import { loadIngestSettings } from '../lib/jobs/ingestMarker.js';
import {
  type IngestDeps, type IngestOutcome, ingestObject, needsRedelivery,
} from '../lib/jobs/ingestObject.js';
import { decodeEventKey } from '../lib/jobs/objectKeys.js';
import { createDynamoClient } from '../lib/store/clients.js';
import { createDynamoJobStore } from '../lib/store/dynamoStore.js';
import { createObjectRecords } from '../lib/store/objectRecords.js';
import { createObjectStore, createS3Client } from '../lib/store/objects.js';
import {
  type MessageDelayer, createMessageDelayer, createSqsClient,
} from '../lib/store/queue.js';

/**
 * The ingest function: SQS messages whose bodies are S3 event
 * notifications. Answers with the messages that must come back: those
 * whose object stopped part-way, found its job busy, or failed for a
 * reason that a retry may cure. An object for an unknown or closed job,
 * or a malformed one, is recorded failed and its message is let go.
 */

export interface LambdaTurn {
  getRemainingTimeInMillis(): number;
}

export interface S3IngestHandlerDeps {
  ingest: IngestDeps;
  logger?: Logger;
  /** Brings a stopped object's message back early; optional locally. */
  delayer?: MessageDelayer;
}

export type S3IngestHandler = (
  event: SQSEvent, context: LambdaTurn,
) => Promise<SQSBatchResponse>;

/**
 * Seconds before a message comes back: at once after a planned stop; after
 * a busy job, 5 minutes, so that the 50 receives the queue allows span
 * about 4 hours of waiting behind other objects of the same job.
 */
const PAUSED_DELAY_S = 1;
const BUSY_DELAY_S = 300;

export function createS3IngestHandler(
  deps: S3IngestHandlerDeps,
): S3IngestHandler {
  const logger = deps.logger ?? pino();

  const ingestMessage = async (
    message: SQSRecord, context: LambdaTurn,
  ): Promise<IngestOutcome[]> => {
    const outcomes: IngestOutcome[] = [];
    for (const record of objectsCreated(message.body)) {
      const startedMs = performance.now();
      const key = decodeEventKey(record.s3.object.key);
      const outcome = await ingestObject(deps.ingest, {
        key,
        etag: record.s3.object.eTag || undefined,
        receivedAt: Date.parse(record.eventTime) || undefined,
      }, { remainingMs: () => context.getRemainingTimeInMillis() });
      logger.info({
        key, outcome: outcome.kind,
        ...summaryOf(outcome),
        durationMs: Math.round(performance.now() - startedMs),
      }, 'object');
      outcomes.push(outcome);
    }
    return outcomes;
  };

  return async (event, context) => {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const message of event.Records) {
      try {
        const outcomes = await ingestMessage(message, context);
        const again = outcomes.filter(needsRedelivery);
        if (again.length === 0) continue;
        failures.push({ itemIdentifier: message.messageId });
        const paused = again.every((outcome) => outcome.kind === 'paused');
        await deps.delayer?.retryAfter(message.eventSourceARN,
          message.receiptHandle, paused ? PAUSED_DELAY_S : BUSY_DELAY_S)
          .catch((err: unknown) =>
            logger.warn({ err: errorSummary(err) }, 'visibility'));
      } catch (err) {
        logger.error({ err: errorSummary(err), messageId: message.messageId },
          'ingest failed');
        failures.push({ itemIdentifier: message.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}

/**
 * The ObjectCreated records of one message; none for `s3:TestEvent`.
 * Throws for a body that is no S3 notification, so that the message ends
 * in the dead-letter queue where it can be looked at.
 */
export function objectsCreated(body: string): S3EventRecord[] {
  const parsed = JSON.parse(body) as Partial<S3Event> & { Event?: string };
  if (parsed?.Event === 's3:TestEvent') return [];
  if (!Array.isArray(parsed?.Records)) {
    throw new Error('the message is not an S3 event notification');
  }
  return parsed.Records.filter((record) =>
    record.eventName?.startsWith('ObjectCreated:'));
}

function summaryOf(outcome: IngestOutcome): Record<string, unknown> {
  if (outcome.kind === 'paused') return { bytesDone: outcome.bytesDone };
  if (outcome.kind === 'ignored') return { reason: outcome.reason };
  if (outcome.kind !== 'done' && outcome.kind !== 'failed') return {};
  const { record } = outcome;
  return {
    jobId: record.jobId,
    bytes: record.bytesTotal,
    records: record.counts?.processedRecordCount ?? 0,
    error: record.error ?? undefined,
  };
}

let built: S3IngestHandler | undefined;

/** Clients and settings are made on the first event, once per process. */
export const handler: S3IngestHandler = (event, context) => {
  built ??= buildHandler();
  return built(event, context);
};

function buildHandler(): S3IngestHandler {
  const config = loadConfig();
  const dynamo = createDynamoClient();
  return createS3IngestHandler({
    ingest: {
      store: createDynamoJobStore(dynamo, config.tableName),
      records: createObjectRecords(dynamo, config.tableName),
      objects: createObjectStore(createS3Client(), config.bucketName),
      config,
      settings: loadIngestSettings(),
      now: Date.now,
    },
    delayer: createMessageDelayer(createSqsClient()),
  });
}
