/**
 * The ingest queue, for one thing: bringing a message back sooner than its
 * visibility timeout (30 minutes, sized for a crashed turn) when the next
 * turn need not wait that long, as after a planned stop or a busy job.
 */
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';

export interface MessageDelayer {
  /** Makes the message visible again after `delaySec`. */
  retryAfter(receiptHandle: string, delaySec: number): Promise<void>;
}

/**
 * `queueUrl` is the ingest queue's URL as the deployment gives it
 * (`ML_INGEST_QUEUE_URL`); the function reads from that one queue only.
 */
export function createMessageDelayer(
  client: SQSClient, queueUrl: string,
): MessageDelayer {
  return {
    async retryAfter(receiptHandle, delaySec) {
      await client.send(new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: delaySec,
      }));
    },
  };
}

export const createSqsClient = (): SQSClient => new SQSClient({});
