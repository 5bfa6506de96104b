/**
 * In AWS the queue hands a message out again after a crash, until the
 * object is counted. A local process killed with `kill -9` loses what its
 * event bridge held: the object part-way through (its job keeps a
 * marker), the objects of the same job waiting behind it, an object
 * recorded `queued` before its first commit, and events still on their
 * way from s3rver. So at start the bucket is reconciled with the records:
 * every object under `jobs/` with no final record (done or failed) for its
 * current ETag gets its event again. A delivery too many is harmless (a
 * finished object counts as a duplicate); the finished ones are left out
 * to keep the start quick.
 */
import type { S3Event, S3EventRecord } from 'aws-lambda';
import { isIngestMarker } from '../../lib/jobs/ingestMarker.js';
import { JOBS_PREFIX, jobIdOfKey } from '../../lib/jobs/objectKeys.js';
import type { ObjectRecords } from '../../lib/store/objectRecords.js';
import type { JobStore } from '../../lib/store/types.js';
import type { StoredObject } from './s3Server.js';

export interface ResumedObject {
  key: string;
  etag: string;
  sizeBytes: number;
  receivedAt: number;
}

export interface ResumeSources {
  store: Pick<JobStore, 'listJobs' | 'getState'>;
  records: Pick<ObjectRecords, 'list'>;
  /** Every object in the bucket whose key starts with `prefix`. */
  listObjects(prefix: string): Promise<StoredObject[]>;
}

/**
 * The objects to deliver again, job by job. Within a job the object its
 * marker names comes first (it holds the job's lease), then the others in
 * key order, as S3 lists them; the order they were put in is not known.
 *
 * An object older than its job (by whole seconds, as s3rver keeps times)
 * is left out: deleting a job removes its records but not its objects,
 * and they must not be counted into a new job of the same id. Objects of
 * a job that does not exist are left out too; in the live path they
 * would only be recorded failed. So are those of a job a delete had begun
 * on when the process was killed: their records are gone, and counting
 * them again would count them twice.
 */
export async function objectsToResume(
  sources: ResumeSources,
): Promise<ResumedObject[]> {
  const byJob = new Map<string, StoredObject[]>();
  for (const object of await sources.listObjects(JOBS_PREFIX)) {
    const jobId = jobIdOfKey(object.key);
    if (jobId === undefined) continue;
    byJob.set(jobId, [...byJob.get(jobId) ?? [], object]);
  }

  const found: ResumedObject[] = [];
  for (const job of await sources.store.listJobs()) {
    const state = await sources.store.getState(job.job_id);
    if (state?.deleting === true) continue;
    const marker = state?.ingest;
    const stored = byJob.get(job.job_id) ?? [];
    const ended = stored.length === 0 ? new Set<string>()
      : await endedVersions(sources.records, job.job_id);
    if (isIngestMarker(marker)) {
      found.push({
        key: marker.key, etag: marker.etag, sizeBytes: marker.bytesTotal,
        receivedAt: marker.receivedAt,
      });
    }
    const createdSec = Math.floor(job.create_time / 1000);
    for (const object of stored.sort(byKeyBytes)) {
      const version = versionOf(object.key, object.etag);
      if (ended.has(version)) continue;
      if (isIngestMarker(marker)
        && versionOf(marker.key, marker.etag) === version) continue;
      if (Math.floor(object.lastModifiedMs / 1000) < createdSec) continue;
      found.push({
        key: object.key, etag: object.etag, sizeBytes: object.sizeBytes,
        receivedAt: object.lastModifiedMs,
      });
    }
  }
  return found;
}

const versionOf = (key: string, etag: string) => `${key}\n${etag}`;

/** S3 lists keys in the order of their UTF-8 bytes. */
const byKeyBytes = (a: StoredObject, b: StoredObject) =>
  Buffer.compare(Buffer.from(a.key), Buffer.from(b.key));

async function endedVersions(
  records: Pick<ObjectRecords, 'list'>, jobId: string,
): Promise<Set<string>> {
  const ended = new Set<string>();
  for (const record of await records.list(jobId)) {
    if (record.state !== 'done' && record.state !== 'failed') continue;
    ended.add(versionOf(record.key, record.etag));
  }
  return ended;
}

/** The event s3rver would send for the object, its key not encoded. */
export function objectCreatedEvent(
  object: ResumedObject, bucketName: string,
): S3Event {
  const record: S3EventRecord = {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: new Date(object.receivedAt).toISOString(),
    eventName: 'ObjectCreated:Put',
    userIdentity: { principalId: 'local' },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': '', 'x-amz-id-2': '' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'resume-after-restart',
      bucket: {
        name: bucketName, ownerIdentity: { principalId: 'local' },
        arn: `arn:aws:s3:::${bucketName}`,
      },
      object: {
        key: object.key, size: object.sizeBytes, eTag: object.etag,
        sequencer: '0',
      },
    },
  };
  return { Records: [record] };
}
