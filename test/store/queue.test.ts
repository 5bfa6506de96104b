import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMessageDelayer, queueUrlOf } from '../../lib/store/queue.js';
import {
  type SqsEndpoint, sqsClientFor, startSqsEndpoint,
} from '../infra/sqsEndpoint.js';

let sqs: SqsEndpoint;

beforeAll(async () => {
  sqs = await startSqsEndpoint();
});

afterAll(() => sqs.close());

const queueArn = 'arn:aws:sqs:eu-west-1:123456789012:ml-intake-dev-ingest';

describe('the message delayer', () => {
  test('changes the visibility on the queue URL it is given', async () => {
    // The host of a queue URL is where the SDK sends the request, so a
    // client with no endpoint of its own reaches the local one this way.
    const queueUrl = `${sqs.url}/123456789012/ml-intake-dev-ingest`;
    const delayer = createMessageDelayer(sqsClientFor(), queueUrl);
    sqs.requests.length = 0;

    await delayer.retryAfter(queueArn, 'handle-1', 60);

    expect(sqs.requests).toEqual([{
      target: 'AmazonSQS.ChangeMessageVisibility',
      body: { QueueUrl: queueUrl, ReceiptHandle: 'handle-1',
        VisibilityTimeout: 60 },
    }]);
  });

  test('without a URL, makes one from the message\'s queue ARN', async () => {
    const delayer = createMessageDelayer(sqsClientFor(sqs.url));
    sqs.requests.length = 0;

    await delayer.retryAfter(queueArn, 'handle-2', 1);

    expect(sqs.requests.map((request) => request.body)).toEqual([{
      QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/'
        + 'ml-intake-dev-ingest',
      ReceiptHandle: 'handle-2', VisibilityTimeout: 1,
    }]);
  });
});

describe('a queue URL made from an ARN', () => {
  // SQS's endpoints as AWS lists them for these regions: the commercial
  // and GovCloud partitions on amazonaws.com, China on amazonaws.com.cn.
  test.each([
    ['arn:aws:sqs:us-east-1:111122223333:q',
      'https://sqs.us-east-1.amazonaws.com/111122223333/q'],
    ['arn:aws-cn:sqs:cn-north-1:111122223333:q',
      'https://sqs.cn-north-1.amazonaws.com.cn/111122223333/q'],
    ['arn:aws-us-gov:sqs:us-gov-west-1:111122223333:q',
      'https://sqs.us-gov-west-1.amazonaws.com/111122223333/q'],
  ])('takes %s to %s', (arn, url) => {
    expect(queueUrlOf(sqsClientFor(), arn)).toBe(url);
  });

  test.each([
    'arn:aws:sns:us-east-1:111122223333:q',
    'arn:aws:sqs:us-east-1:111122223333',
    'arn:aws:sqs:us-east-1:111122223333:q:extra',
    'ml-intake-dev-ingest',
  ])('refuses %s, which names no queue', (arn) => {
    expect(() => queueUrlOf(sqsClientFor(), arn))
      .toThrowError(/is not the ARN of a queue/);
  });
});
