/**
 * Uploads racing for one job (DESIGN.md): they are counted one after the
 * other, never interleaved; one that waits in vain gets 429.
 */
import { afterEach, expect, test } from 'vitest';
import { createDynamoClient } from '../../lib/store/clients.js';
import { createDynamoJobStore } from '../../lib/store/dynamoStore.js';
import { fqJob, jobsApi } from '../support/api.js';
import { startTestStack, type TestStack } from '../support/localStack.js';

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** 30,000 records one second apart from 1403481600, a few MB to count. */
const big = Array.from({ length: 30_000 }, (_, i) =>
  `{"airline":"A","responsetime":"1","time":${1403481600 + i}}`).join('\n');

test('counts concurrent uploads one after the other', async () => {
  stack = await startTestStack();
  const api = jobsApi(stack.url);
  await api.openedJob('race', fqJob());

  const answers = await Promise.all([api.post('race', big),
    api.post('race', big)]);

  expect(answers.map((a) => a.status)).toEqual([202, 202]);
  // Whichever ran second saw the first's latest, 1403511599, whose hour
  // starts at 1403510400: it keeps 1403511599 − 1403510400 + 1 = 1200.
  expect(answers.map((a) => a.json.processed_record_count).sort(
    (a: number, b: number) => a - b)).toEqual([1200, 30_000]);
  expect(await api.dataCounts('race')).toMatchObject({
    processed_record_count: 31_200, input_record_count: 60_000,
    out_of_order_timestamp_count: 28_800,
  });
});

test('answers 429 with Retry-After while another writer holds the job',
  async () => {
    stack = await startTestStack({ leaseWaitMs: 200 });
    const api = jobsApi(stack.url);
    await api.openedJob('busy', fqJob());
    // Another writer (an S3 ingestion, say) holds the lease for a minute.
    const store = createDynamoJobStore(
      createDynamoClient({ endpoint: stack.dynamoUrl }), 'ml-intake');
    await store.acquireLease('busy', 'another-writer', Date.now(), 60_000);

    const refused = await api.post('busy', big);

    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^[1-5]$/);
    expect(refused.json.error.type).toBe('status_exception');
    await store.releaseLease('busy', 'another-writer');
    expect((await api.post('busy', big)).status).toBe(202);
    // The refused upload counted nothing.
    expect((await api.dataCounts('busy')).input_record_count).toBe(30_000);
  });
