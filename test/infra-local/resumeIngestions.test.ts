import { describe, expect, test } from 'vitest';
import {
  findInterruptedObjects, objectCreatedEvent,
} from '../../infra/local/resumeIngestions.js';
import type { JobConfig } from '../../lib/jobs/jobConfig.js';
import type { JobStateItem, JobStore } from '../../lib/store/types.js';

// A marker as an ingestion leaves it after a commit part-way through an
// object; only the fields the resume reads matter here.
const marker = {
  key: 'jobs/half/big data.ndjson', etag: '75d578e397f02e508c63038e8d516025',
  owner: 'ingest#jobs/half/big data.ndjson#75d578e3', bytesTotal: 314_669_089,
  bytesDone: 100_663_249, resume: null, totalsBefore: {}, counts: {},
  receivedAt: Date.UTC(2026, 11, 3, 20, 14, 18), startedAt: 0, outcome: null,
};

function storeWith(
  states: Record<string, Partial<JobStateItem> | undefined>,
): Pick<JobStore, 'listJobs' | 'getState'> {
  return {
    listJobs: async () => Object.keys(states)
      .map((id) => ({ job_id: id }) as JobConfig),
    getState: async (id) => states[id] as JobStateItem | undefined,
  };
}

describe('objects interrupted by a crash of the local process', () => {
  test('are the ones whose marker a job still holds', async () => {
    const store = storeWith({
      idle: { ingest: null },
      half: { ingest: marker },
      gone: undefined,
    });

    expect(await findInterruptedObjects(store)).toEqual([{
      key: 'jobs/half/big data.ndjson',
      etag: '75d578e397f02e508c63038e8d516025',
      sizeBytes: 314_669_089,
      receivedAt: Date.UTC(2026, 11, 3, 20, 14, 18),
    }]);
  });

  test('come back as the created event s3rver sent for them', () => {
    const event = objectCreatedEvent({
      key: 'jobs/half/big data.ndjson', etag: 'abc', sizeBytes: 10,
      receivedAt: Date.UTC(2026, 11, 3, 20, 14, 18),
    }, 'ml-intake');

    expect(event.Records).toHaveLength(1);
    const [record] = event.Records;
    expect(record.eventName).toBe('ObjectCreated:Put');
    expect(record.eventTime).toBe('2026-12-03T20:14:18.000Z');
    expect(record.s3.bucket.name).toBe('ml-intake');
    // The key as s3rver gives it, not encoded: the bridge encodes it.
    expect(record.s3.object).toMatchObject(
      { key: 'jobs/half/big data.ndjson', eTag: 'abc', size: 10 });
  });
});
