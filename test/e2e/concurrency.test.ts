/**
 * Uploads racing for one job (DESIGN.md): they are counted one after the
 * other, never interleaved; with no time to wait, the loser gets 429.
 */
import { afterEach, expect, test } from 'vitest';
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

test('answers 429 with Retry-After when the job stays busy', async () => {
  stack = await startTestStack({ leaseWaitMs: 0 });
  const api = jobsApi(stack.url);
  await api.openedJob('busy', fqJob());

  const answers = await Promise.all([api.post('busy', big),
    api.post('busy', big)]);

  const refused = answers.find((a) => a.status === 429);
  expect(answers.map((a) => a.status).sort()).toEqual([202, 429]);
  expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(refused?.json.error.type).toBe('status_exception');
  // The refused upload counted nothing.
  expect((await api.dataCounts('busy')).input_record_count).toBe(30_000);
});
