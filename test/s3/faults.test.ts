import { beforeAll, describe, expect, test } from 'vitest';
import { ingestObject, needsRedelivery } from
  '../../lib/jobs/ingestObject.js';
import type { ObjectRecords } from '../../lib/store/objectRecords.js';
import type { JobStore } from '../../lib/store/types.js';
import { farequoteEpochNdjson, farequoteRows } from '../support/sharedData.js';
import {
  InjectedError, endlessTurn, ingestDeps, ingestUntilEnd, openJob, postOnce,
  putObject,
  records, setUpTable, store, totalsOf, turnOf, uniqueJobId,
} from './fixture.js';

beforeAll(setUpTable);

// The first 2,000 rows of farequote.csv: about 180 KB, 12 chunks of 16 KiB.
const body = new TextEncoder().encode(
  farequoteEpochNdjson(farequoteRows().slice(0, 2_000)));
const CHUNK = 16 * 1024;
const chunkCount = Math.ceil(body.length / CHUNK);

let cleanTotals: Record<string, unknown>;

beforeAll(async () => {
  const jobId = uniqueJobId('clean');
  await openJob(jobId);
  await postOnce(jobId, body);
  cleanTotals = await totalsOf(jobId);
  // 2,000 rows, all in order (hand check against the file's first rows).
  expect(cleanTotals).toMatchObject({ processed_record_count: 2_000,
    input_bytes: body.length, out_of_order_timestamp_count: 0 });
});

async function newObject(prefix: string) {
  const jobId = uniqueJobId(prefix);
  await openJob(jobId);
  const key = `jobs/${jobId}/part.ndjson`;
  return { jobId, key, etag: await putObject(key, body) };
}

type Point = 'before' | 'after';

/** The store, failing its n-th call of `method`, before or after it runs. */
function failing<T extends object>(
  target: T, method: keyof T, n: number, point: Point,
): T {
  let calls = 0;
  return new Proxy(target, {
    get(object, name, receiver) {
      const value = Reflect.get(object, name, receiver);
      if (name !== method || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        calls += 1;
        const fail = calls === n;
        if (fail && point === 'before') throw new InjectedError('before');
        const result = await value.apply(object, args);
        if (fail) throw new InjectedError('after the write');
        return result;
      };
    },
  });
}

describe('an ingestion stopped and resumed', () => {
  test.each([1, 2, 5])('by a deadline after every %i chunks counts as a '
    + 'clean run', async (k) => {
    const { jobId, key, etag } = await newObject(`deadline-${k}`);

    const { outcome, turns } = await ingestUntilEnd(ingestDeps(CHUNK),
      key, etag, () => turnOf(k));

    expect(outcome.kind).toBe('done');
    // The last chunk ends the object without a commit of its own.
    expect(turns).toBe(Math.ceil((chunkCount - 1) / k) + (
      (chunkCount - 1) % k === 0 ? 1 : 0));
    expect(await totalsOf(jobId)).toEqual(cleanTotals);
  });

  // Commits: one per chunk but the last (chunkCount - 1), then the final
  // counts, then clearing the marker: chunkCount + 1 in all.
  const commitCalls = Array.from({ length: chunkCount + 1 },
    (_, i) => i + 1);
  describe.each<Point>(['before', 'after'])('by an error %s a commit',
    (point) => {
      test.each(commitCalls)('at commit %i counts as a clean run',
        async (n) => {
          const { jobId, key, etag } = await newObject(`commit-${n}`);
          const faulty: JobStore = failing(store, 'commit', n, point);

          const { outcome, turns } = await ingestUntilEnd(
            ingestDeps(CHUNK, faulty), key, etag);

          // Only a failure after the marker was cleared leaves nothing to
          // do: the next delivery finds the object recorded.
          const cleared = point === 'after' && n === chunkCount + 1;
          expect(outcome.kind).toBe(cleared ? 'duplicate' : 'done');
          expect(turns).toBe(2);
          expect(await totalsOf(jobId)).toEqual(cleanTotals);
          expect((await store.getState(jobId))?.ingest).toBeNull();
          expect((await store.getState(jobId))?.lease).toBeNull();
        });
    });

  test.each<Point>(['before', 'after'])('by an error %s the object record '
    + 'is written counts as a clean run', async (point) => {
    const { jobId, key, etag } = await newObject(`record-${point}`);
    const faulty: ObjectRecords = failing(records, 'finish', 1, point);

    const { outcome } = await ingestUntilEnd(
      ingestDeps(CHUNK, store, faulty), key, etag);

    // Either way the marker still holds the outcome, so the next delivery
    // writes the record (again) and clears the marker.
    expect(outcome.kind).toBe('done');
    expect(await totalsOf(jobId)).toEqual(cleanTotals);
    expect((await records.get(jobId, key, etag))?.state).toBe('done');
    expect((await store.getState(jobId))?.ingest).toBeNull();
  });
});

describe('repeated events for one object', () => {
  test('a second delivery after the end counts nothing', async () => {
    const { jobId, key, etag } = await newObject('twice');
    const deps = ingestDeps(CHUNK);

    const first = await ingestObject(deps, { key, etag }, endlessTurn);
    const second = await ingestObject(deps, { key, etag }, endlessTurn);

    expect(first.kind).toBe('done');
    expect(second.kind).toBe('duplicate');
    expect(await totalsOf(jobId)).toEqual(cleanTotals);
  });

  test('two deliveries at once count the object once', async () => {
    const { jobId, key, etag } = await newObject('at-once');
    const deps = ingestDeps(CHUNK);

    const both = await Promise.all([
      ingestUntilEnd(deps, key, etag), ingestUntilEnd(deps, key, etag),
    ]);

    const kinds = both.map(({ outcome }) => outcome.kind).sort();
    expect(kinds).toEqual(['done', 'duplicate']);
    expect(await totalsOf(jobId)).toEqual(cleanTotals);
  });
});

test('needsRedelivery asks back only stopped and busy turns', () => {
  expect(needsRedelivery({ kind: 'paused', bytesDone: 1 })).toBe(true);
  expect(needsRedelivery({ kind: 'busy' })).toBe(true);
  expect(needsRedelivery({ kind: 'duplicate' })).toBe(false);
});

test('a resumed turn that fails before its first commit keeps the job for '
  + 'its object, and the object still counts once', async () => {
  const jobId = uniqueJobId('hold');
  await openJob(jobId);
  const x = `jobs/${jobId}/x.ndjson`;
  const y = `jobs/${jobId}/y.ndjson`;
  // y holds the next 2,000 rows of the file, all later than x's.
  const later = new TextEncoder().encode(
    farequoteEpochNdjson(farequoteRows().slice(2_000, 4_000)));
  const xEtag = await putObject(x, body);
  const yEtag = await putObject(y, later);
  // The wall clock, moved on by hand: the hold is 10 minutes, a first
  // lease (before any commit) one minute.
  let offsetMs = 0;
  const holdMs = 600_000;
  const deps = { ...ingestDeps(CHUNK), now: () => Date.now() + offsetMs };
  deps.settings = { ...deps.settings, holdMs };
  deps.config = { ...deps.config, leaseTtlMs: 60_000 };

  expect((await ingestObject(deps, { key: x, etag: xEtag }, turnOf(1))).kind)
    .toBe('paused');
  offsetMs += holdMs - 1_000;
  const failingReads = { ...deps, objects: failing(deps.objects,
    'readRangePieces', 1, 'before') };
  await expect(ingestObject(failingReads, { key: x, etag: xEtag },
    endlessTurn)).rejects.toBeInstanceOf(InjectedError);
  // Past a first lease, well within the hold taken again at that turn.
  offsetMs += 120_000;

  const other = await ingestObject(deps, { key: y, etag: yEtag },
    endlessTurn);
  const resumed = await ingestUntilEnd(deps, x, xEtag);
  const after = await ingestUntilEnd(deps, y, yEtag);

  expect(other.kind).toBe('busy');
  expect(resumed.outcome.kind).toBe('done');
  expect(after.outcome.kind).toBe('done');
  expect(await totalsOf(jobId)).toMatchObject({
    processed_record_count: 4_000, out_of_order_timestamp_count: 0,
    input_bytes: body.length + later.length });
});
