// Placeholder entry point so the service packages; the real handler ingests
// the S3 objects named by the queue's messages.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const unhandled = event.Records.map((record) => ({
    itemIdentifier: record.messageId,
  }));
  return { batchItemFailures: unhandled };
}
