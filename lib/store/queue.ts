/**
 * The ingest queue, for one thing: bringing a message back sooner than its
 * visibility timeout (30 minutes, sized for a crashed turn) when the next
 * turn need not wait that long, as after a planned stop or a busy job.
 */
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';

export interface MessageDelayer {
  /** Makes the message visible again after `delaySec`. */
  retryAfter(queueArn: string, receiptHandle: string, delaySec: number):
    Promise<void>;
}

/**
 * `arn:{partition}:sqs:{region}:{account}:{name}` to the queue's URL, on
 * the host the client's own endpoint rules give for that region, so no
 * partition's domain is written here. Only for a delayer given no URL.
 */
export function queueUrlOf(client: SQSClient, queueArn: string): string {
  const [scheme, , service, region, account, name, ...rest] =
    queueArn.split(':');
  if (scheme !== 'arn' || service !== 'sqs' || !region || !account || !name
    || rest.length > 0) {
    throw new Error(`'${queueArn}' is not the ARN of a queue`);
  }
  const endpoint = client.config.endpointProvider({ Region: region }).url;
  return new URL(`/${account}/${name}`, endpoint).href;
}

/**
 * `queueUrl` is the ingest queue's URL as the deployment gives it
 * (`ML_INGEST_QUEUE_URL`); the function reads from that one queue only.
 * Without it the URL is made from each message's queue ARN.
 */
export function createMessageDelayer(
  client: SQSClient, queueUrl?: string,
): MessageDelayer {
  return {
    async retryAfter(queueArn, receiptHandle, delaySec) {
      await client.send(new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl || queueUrlOf(client, queueArn),
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: delaySec,
      }));
    },
  };
}

export const createSqsClient = (): SQSClient => new SQSClient({});
