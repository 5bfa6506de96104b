import { describe, expect, test } from 'vitest';
import {
  objectCreatedEvent, objectsToResume, type ResumeSources,
} from '../../infra/local/resumeIngestions.js';
import type { StoredObject } from '../../infra/local/s3Server.js';
import type { JobConfig } from '../../lib/jobs/jobConfig.js';
import type { ObjectRecord } from '../../lib/store/objectRecords.js';
import type { JobStateItem } from '../../lib/store/types.js';

const CREATED = Date.UTC(2026, 11, 3, 20, 0, 0);

// A marker as an ingestion leaves it after a commit part-way through an
// object; only the fields the resume reads matter here.
const marker = {
  key: 'jobs/half/big data.ndjson', etag: '75d578e397f02e508c63038e8d516025',
  owner: 'ingest#jobs/half/big data.ndjson#75d578e3', bytesTotal: 314_669_089,
  bytesDone: 100_663_249, resume: null, totalsBefore: {}, counts: {},
  receivedAt: Date.UTC(2026, 11, 3, 20, 14, 18), startedAt: 0, outcome: null,
};

const stored = (key: string, etag = `etag-of-${key}`,
  lastModifiedMs = CREATED + 60_000): StoredObject =>
  ({ key, etag, sizeBytes: 10, lastModifiedMs });

const record = (key: string, state: ObjectRecord['state'],
  etag = `etag-of-${key}`) => ({ key, etag, state }) as ObjectRecord;

function sources(
  jobs: Record<string, { state?: Partial<JobStateItem>;
    records?: ObjectRecord[] }>,
  objects: StoredObject[],
): ResumeSources & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    store: {
      listJobs: async () => Object.keys(jobs).map((id) =>
        ({ job_id: id, create_time: CREATED }) as JobConfig),
      getState: async (id) => jobs[id]?.state as JobStateItem | undefined,
    },
    records: { list: async (id) => jobs[id]?.records ?? [] },
    listObjects: async (prefix) => {
      asked.push(prefix);
      return objects.filter((object) => object.key.startsWith(prefix));
    },
  };
}

describe('objects a killed local process left unfinished', () => {
  test('are the marked one first, then those without a final record',
    async () => {
      const found = await objectsToResume(sources({
        half: {
          state: { ingest: marker },
          records: [record('jobs/half/a', 'done'),
            record('jobs/half/b', 'failed'), record('jobs/half/c', 'queued')],
        },
      }, [stored('jobs/half/d'), stored('jobs/half/c'), stored('jobs/half/b'),
        stored('jobs/half/a'),
        stored('jobs/half/big data.ndjson', marker.etag)]));

      expect(found.map((object) => object.key)).toEqual([
        'jobs/half/big data.ndjson', 'jobs/half/c', 'jobs/half/d']);
      expect(found[0]).toEqual({
        key: 'jobs/half/big data.ndjson',
        etag: '75d578e397f02e508c63038e8d516025',
        sizeBytes: 314_669_089,
        receivedAt: Date.UTC(2026, 11, 3, 20, 14, 18),
      });
    });

  test('include a version put over one that had ended', async () => {
    const found = await objectsToResume(sources({
      job: { records: [record('jobs/job/a', 'done', 'old')] },
    }, [stored('jobs/job/a', 'new')]));

    expect(found).toEqual([{ key: 'jobs/job/a', etag: 'new', sizeBytes: 10,
      receivedAt: CREATED + 60_000 }]);
  });

  test('come in the byte order of their keys, as S3 lists them', async () => {
    // U+FF5E sorts before U+1F600 in UTF-16 units but after it in UTF-8.
    const found = await objectsToResume(sources({ job: {} }, [
      stored('jobs/job/\u{1F600}'), stored('jobs/job/\uFF5E'),
      stored('jobs/job/B'), stored('jobs/job/a')]));

    expect(found.map((object) => object.key)).toEqual(['jobs/job/B',
      'jobs/job/a', 'jobs/job/\uFF5E', 'jobs/job/\u{1F600}']);
  });

  test('leave out objects older than their job and of unknown jobs',
    async () => {
      const source = sources({ job: {} }, [
        // Put in the second before the job was created, by a deleted job
        // of the same id; then one in the job's own second.
        stored('jobs/job/old', 'e', CREATED - 1),
        stored('jobs/job/same-second', 'e', CREATED + 999),
        stored('jobs/gone/x'), stored('outside/jobs/x')]);

      const found = await objectsToResume(source);

      expect(found.map((object) => object.key))
        .toEqual(['jobs/job/same-second']);
      expect(source.asked).toEqual(['jobs/']);
    });

  test('leave out the objects of a job a delete had begun on', async () => {
    // The delete removed the object records first; the objects are still
    // in the bucket and would otherwise count a second time.
    const found = await objectsToResume(sources({
      going: { state: { deleting: true } }, kept: {},
    }, [stored('jobs/going/a'), stored('jobs/kept/b')]));

    expect(found.map((object) => object.key)).toEqual(['jobs/kept/b']);
  });

  test('come back as the created event s3rver sent for them', () => {
    const event = objectCreatedEvent({
      key: 'jobs/half/big data.ndjson', etag: 'abc', sizeBytes: 10,
      receivedAt: Date.UTC(2026, 11, 3, 20, 14, 18),
    }, 'ml-intake');

    expect(event.Records).toHaveLength(1);
    const [created] = event.Records;
    expect(created.eventName).toBe('ObjectCreated:Put');
    expect(created.eventTime).toBe('2026-12-03T20:14:18.000Z');
    expect(created.s3.bucket.name).toBe('ml-intake');
    // The key as s3rver gives it, not encoded: the bridge encodes it.
    expect(created.s3.object).toMatchObject(
      { key: 'jobs/half/big data.ndjson', eTag: 'abc', size: 10 });
  });
});
