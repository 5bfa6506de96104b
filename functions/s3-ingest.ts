import type {
  S3Event, S3EventRecord, SQSBatchResponse, SQSEvent, SQSRecord,
} from 'aws-lambda';
import { pino, type Logger } from 'pino';
import {
  errorSummary, withoutQuotedData,
} from '../lib/api/errorSummary.js';
import {
  loadConfig, loadIngestSettings, loadQueueSettings,
} from '../lib/config.js';
import {
  type IngestDeps, type IngestOutcome, ingestObject, needsRedelivery,
} from '../lib/jobs/ingestObject.js';
import { giveUpObject } from '../lib/jobs/giveUpObject.js';
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
 * reason that a retry may cure. An object for a closed job, or a malformed
 * one, is recorded failed and its message is let go; one for an unknown
 * job is let go. On a message's last receive (the queue's
 * maxReceiveCount) an object that would come back once more is recorded
 * failed instead, so that it is not shown as pending for ever once its
 * message is in the dead-letter queue.
 */

export interface LambdaTurn {
  getRemainingTimeInMillis(): number;
  /** Set by the local stand-in of the queue when the server stops. */
  stopRequested?(): boolean;
}

export interface S3IngestHandlerDeps {
  ingest: IngestDeps;
  logger?: Logger;
  /** Brings a stopped object's message back early; optional locally. */
  delayer?: MessageDelayer;
  /** The queue's maxReceiveCount; without it objects are never given up. */
  maxReceives?: number;
}

export type S3IngestHandler = (
  event: SQSEvent, context: LambdaTurn,
) => Promise<SQSBatchResponse>;

/**
 * Seconds before a message comes back: at once after a planned stop; after
 * a busy job, 5 minutes, so that the queue's receives (50 by default, the
 * template's ingestMaxReceives) span about 4 hours of waiting behind other
 * objects of the same job; after an error, a minute, so that a transient
 * fault costs a minute rather than the queue's 30-minute visibility
 * timeout, and 50 faults in a row reach the dead-letter queue in about 50
 * minutes. A turn that crashes or times out never gets here: its message
 * comes back after the visibility timeout.
 */
const PAUSED_DELAY_S = 1;
const BUSY_DELAY_S = 300;
const ERROR_DELAY_S = 60;

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
      }, {
        remainingMs: () => context.getRemainingTimeInMillis(),
        stopRequested: () => context.stopRequested?.() ?? false,
      });
      logger.info({
        key, outcome: outcome.kind,
        ...summaryOf(outcome),
        durationMs: Math.round(performance.now() - startedMs),
      }, 'object');
      outcomes.push(outcome);
    }
    return outcomes;
  };

  /** Why the message must come back, and after how long; or nothing. */
  const redeliveryOf = async (
    message: SQSRecord, context: LambdaTurn,
  ): Promise<{ reason: string; delayS: number } | undefined> => {
    try {
      const again = (await ingestMessage(message, context))
        .filter(needsRedelivery);
      if (again.length === 0) return undefined;
      return again.every((outcome) => outcome.kind === 'paused')
        ? { reason: 'it was still part-way', delayS: PAUSED_DELAY_S }
        : { reason: 'its job stayed busy', delayS: BUSY_DELAY_S };
    } catch (err) {
      logger.error({ err: errorSummary(err), messageId: message.messageId },
        'ingest failed');
      // Only the type goes into the record that `_uploads` shows; the
      // message, which may name internals, stays in the log.
      const { type } = errorSummary(err);
      return { reason: `it failed with ${type} (the log has the message)`,
        delayS: ERROR_DELAY_S };
    }
  };

  const giveUp = async (message: SQSRecord, receives: number,
    reason: string) => {
    for (const record of objectsCreated(message.body)) {
      const key = decodeEventKey(record.s3.object.key);
      await giveUpObject(deps.ingest, {
        key, etag: record.s3.object.eTag || undefined,
      }, `its ingestion did not finish in ${receives} deliveries; at the `
        + `last one ${reason}`);
      logger.warn({ key, receives }, 'object given up');
    }
  };

  return async (event, context) => {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const message of event.Records) {
      const again = await redeliveryOf(message, context);
      if (again === undefined) continue;
      failures.push({ itemIdentifier: message.messageId });

      const receives = Number(message.attributes?.ApproximateReceiveCount);
      const last = deps.maxReceives !== undefined
        && receives >= deps.maxReceives;
      // A turn stopped for the server's own stop is not a failed try.
      if (last && !context.stopRequested?.()) {
        // The message goes to the dead-letter queue (and raises its alarm)
        // with the object recorded failed; replaying it changes nothing.
        await giveUp(message, receives, again.reason).catch((err: unknown) =>
          logger.error({ err: errorSummary(err) }, 'give up failed'));
        continue;
      }
      await deps.delayer?.retryAfter(message.receiptHandle, again.delayS)
        .catch((err: unknown) =>
          logger.warn({ err: errorSummary(err) }, 'visibility'));
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
    error: record.error === null ? undefined
      : withoutQuotedData(record.error),
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
  const queue = loadQueueSettings();
  const dynamo = createDynamoClient();
  return createS3IngestHandler({
    ingest: {
      store: createDynamoJobStore(dynamo, config.tableName),
      records: createObjectRecords(dynamo, config.tableName),
      objects: createObjectStore(createS3Client(), config.bucketName),
      config,
      // In its own thread: 1,769 MB of memory buys one vCPU, and the
      // package holds no worker script (see lib/jobs/countingThread.ts).
      settings: { ...loadIngestSettings(), countingThread: false },
      now: Date.now,
    },
    delayer: delayerFor(queue.queueUrl),
    maxReceives: queue.maxReceives,
  });
}

/**
 * The template always passes the queue's URL; without it messages come
 * back only after the visibility timeout.
 */
function delayerFor(queueUrl: string | undefined): MessageDelayer | undefined {
  if (!queueUrl) return undefined;
  return createMessageDelayer(createSqsClient(), queueUrl);
}
