import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMessageDelayer } from '../../lib/store/queue.js';
import {
  type SqsEndpoint, sqsClientFor, startSqsEndpoint,
} from '../infra/sqsEndpoint.js';

let sqs: SqsEndpoint;

beforeAll(async () => {
  sqs = await startSqsEndpoint();
});

afterAll(() => sqs.close());

describe('the message delayer', () => {
  test('changes the visibility on the queue URL it is given', async () => {
    // The host of a queue URL is where the SDK sends the request, so a
    // client with no endpoint of its own reaches the local one this way.
    const queueUrl = `${sqs.url}/123456789012/ml-intake-dev-ingest`;
    const delayer = createMessageDelayer(sqsClientFor(), queueUrl);
    sqs.requests.length = 0;

    await delayer.retryAfter('handle-1', 60);

    expect(sqs.requests).toEqual([{
      target: 'AmazonSQS.ChangeMessageVisibility',
      body: { QueueUrl: queueUrl, ReceiptHandle: 'handle-1',
        VisibilityTimeout: 60 },
    }]);
  });
});
