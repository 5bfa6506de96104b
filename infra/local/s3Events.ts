/**
 * The local stand-in for the S3 notification → SQS → Lambda chain: each
 * object created under `jobs/` becomes an SQS-shaped event for the same
 * ingest handler that runs in AWS, with the key URL-encoded as S3 encodes
 * it (s3rver sends it raw). A message the handler hands back is tried
 * again after a pause, with its receive count, up to `maxReceives`; at
 * the last one the handler records the object failed, as in AWS.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { S3Event, S3EventRecord, SQSEvent } from 'aws-lambda';
import { errorSummary } from '../../lib/api/errorSummary.js';
import type { Logger } from 'pino';
import type { S3IngestHandler } from '../../functions/s3-ingest.js';
import { JOBS_PREFIX, encodeEventKey, jobIdOfKey } from
  '../../lib/jobs/objectKeys.js';

export interface EventBridgeOptions {
  /** Made with the same `maxReceives`, so it gives up on the last. */
  handler: S3IngestHandler;
  /**
   * Told of each object as its event arrives, before it waits behind the
   * objects of its job that came first.
   */
  onArrival?(record: S3EventRecord): Promise<void>;
  logger: Logger;
  /**
   * Deliveries per message: the local stand-in for the queue's
   * maxReceiveCount (50 in AWS, see infra/aws/queue.yml). A turn that
   * pauses at `turnMs` uses one too, so 5 let one object count for 25
   * minutes, about 250 GB at the local stack's speed on two cores.
   */
  maxReceives: number;
  /** Pause before the second try; doubled for each further one. */
  firstRetryMs?: number;
  /** The time one turn may take, as the Lambda timeout. */
  turnMs?: number;
}

export interface EventBridge {
  deliver(event: S3Event): void;
  /** Resolves when every delivered event has been handled. */
  idle(): Promise<void>;
  /** True while an object is being ingested or waits its turn. */
  busy(): boolean;
  /**
   * Ends a turn under way at its next commit, takes no new events, and
   * resolves when nothing runs any more. What was left resumes when the
   * service starts again (resumeIngestions.ts).
   */
  stop(): Promise<void>;
}

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:ml-intake-local-ingest';

export function createEventBridge(options: EventBridgeOptions): EventBridge {
  const { maxReceives } = options;
  const firstRetryMs = options.firstRetryMs ?? 500;
  const turnMs = options.turnMs ?? 300_000;
  // One chain per job: objects of one job are taken one after another, as
  // their leases would make them anyway, without spending tries on waits.
  const chains = new Map<string, Promise<void>>();
  let stopping = false;

  const handleRecord = async (record: S3EventRecord) => {
    for (let receives = 1; receives <= maxReceives; receives += 1) {
      if (stopping) return;
      const deadline = Date.now() + turnMs;
      const answer = await options.handler(sqsEventOf(record, receives), {
        getRemainingTimeInMillis: () => deadline - Date.now(),
        stopRequested: () => stopping,
      });
      if (answer.batchItemFailures.length === 0) return;
      if (receives < maxReceives && !stopping) {
        await sleep(firstRetryMs * 2 ** (receives - 1));
      }
    }
  };

  const idle = async () => {
    while (chains.size > 0) await Promise.all([...chains.values()]);
  };

  return {
    deliver(event) {
      if (stopping) return;
      for (const record of event.Records ?? []) {
        const key = record.s3?.object?.key ?? '';
        if (!record.eventName?.startsWith('ObjectCreated:')) continue;
        if (!key.startsWith(JOBS_PREFIX)) continue;
        const jobId = jobIdOfKey(key) ?? '';
        const arrived = options.onArrival?.(record).catch((err: unknown) => {
          options.logger.warn({ err: errorSummary(err), key }, 'arrival');
        });
        const next = (chains.get(jobId) ?? Promise.resolve())
          .then(() => arrived)
          .then(() => handleRecord(record))
          .catch((err: unknown) => {
            options.logger.error({ err: errorSummary(err), key },
              'local ingest failed');
          });
        chains.set(jobId, next);
        void next.then(() => {
          if (chains.get(jobId) === next) chains.delete(jobId);
        });
      }
    },

    idle,
    busy: () => chains.size > 0,
    stop() {
      stopping = true;
      return idle();
    },
  };
}

/** One SQS message whose body is the S3 notification of one object. */
function sqsEventOf(record: S3EventRecord, receives: number): SQSEvent {
  const encoded: S3EventRecord = {
    ...record,
    s3: {
      ...record.s3,
      object: {
        ...record.s3.object, key: encodeEventKey(record.s3.object.key),
      },
    },
  };
  const messageId = randomUUID();
  return {
    Records: [{
      messageId,
      receiptHandle: messageId,
      body: JSON.stringify({ Records: [encoded] }),
      attributes: {
        ApproximateReceiveCount: String(receives),
        SentTimestamp: String(Date.now()),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: QUEUE_ARN,
      awsRegion: 'us-east-1',
    }],
  };
}
