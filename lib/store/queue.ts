/**
 * The ingest queue, for one thing: bringing a message back sooner than its
 * visibility timeout (30 minutes, sized for a crashed turn), when a turn
 * stopped on purpose and the next one may start right away.
 */
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';

export interface MessageDelayer {
  /** Makes the message visible again after `delaySec`. */
  retryAfter(queueArn: string, receiptHandle: string, delaySec: number):
    Promise<void>;
}

/** `arn:aws:sqs:{region}:{account}:{name}` to the queue's URL. */
export function queueUrlOf(queueArn: string): string {
  const [, partition, , region, account, name] = queueArn.split(':');
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn'
    : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}

export function createMessageDelayer(client: SQSClient): MessageDelayer {
  return {
    async retryAfter(queueArn, receiptHandle, delaySec) {
      await client.send(new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrlOf(queueArn),
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: delaySec,
      }));
    },
  };
}

export const createSqsClient = (): SQSClient => new SQSClient({});
