/**
 * In AWS the queue hands an object's message out again after a crash, and
 * its ingestion goes on from the last commit. A local process that was
 * killed part-way has no queue to do that: the object stayed `ingesting`
 * for good, and once its hold ran out other uploads were counted before
 * the rest of it. So at start every job whose state still holds an
 * object's marker gets that object's event again.
 */
import type { S3Event, S3EventRecord } from 'aws-lambda';
import { isIngestMarker } from '../../lib/jobs/ingestMarker.js';
import type { JobStore } from '../../lib/store/types.js';

export interface InterruptedObject {
  key: string;
  etag: string;
  sizeBytes: number;
  receivedAt: number;
}

/** The objects that jobs were part-way through, in job order. */
export async function findInterruptedObjects(
  store: Pick<JobStore, 'listJobs' | 'getState'>,
): Promise<InterruptedObject[]> {
  const found: InterruptedObject[] = [];
  for (const job of await store.listJobs()) {
    const marker = (await store.getState(job.job_id))?.ingest;
    if (!isIngestMarker(marker)) continue;
    found.push({
      key: marker.key, etag: marker.etag, sizeBytes: marker.bytesTotal,
      receivedAt: marker.receivedAt,
    });
  }
  return found;
}

/** The event s3rver would send for the object, its key not encoded. */
export function objectCreatedEvent(
  object: InterruptedObject, bucketName: string,
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
