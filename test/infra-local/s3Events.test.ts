import type { S3Event, SQSEvent } from 'aws-lambda';
import { pino } from 'pino';
import { expect, test } from 'vitest';
import { createEventBridge } from '../../infra/local/s3Events.js';

const created = (key: string): S3Event => ({ Records: [{
  eventName: 'ObjectCreated:Put', eventTime: '2026-01-01T00:00:00.000Z',
  s3: { object: { key, eTag: 'e', size: 1 } },
}] } as unknown as S3Event);

test('delivers a message that keeps coming back with its receive count, '
  + 'up to the limit', async () => {
  const seen: Array<{ receives: string; key: string }> = [];
  const bridge = createEventBridge({
    logger: pino({ level: 'silent' }), maxReceives: 3, firstRetryMs: 1,
    handler: async (event: SQSEvent) => {
      const [message] = event.Records;
      const body = JSON.parse(message.body) as S3Event;
      seen.push({ receives: message.attributes.ApproximateReceiveCount,
        key: body.Records[0].s3.object.key });
      return { batchItemFailures: [{ itemIdentifier: message.messageId }] };
    },
  });

  bridge.deliver(created('jobs/j/a b.ndjson'));
  await bridge.idle();

  // The key URL-encoded as S3 sends it; three deliveries, then no more.
  expect(seen).toEqual(['1', '2', '3'].map((receives) =>
    ({ receives, key: 'jobs/j/a+b.ndjson' })));
});

test('delivers a message once when the handler lets it go', async () => {
  let deliveries = 0;
  const bridge = createEventBridge({
    logger: pino({ level: 'silent' }), maxReceives: 3, firstRetryMs: 1,
    handler: async () => {
      deliveries += 1;
      return { batchItemFailures: [] };
    },
  });

  bridge.deliver(created('jobs/j/x.ndjson'));
  await bridge.idle();

  expect(deliveries).toBe(1);
});
