/**
 * The STATE item's `ingest` field: the S3 object a job is part-way
 * through, written in the same conditional write as every commit of its
 * counts. Also the settings of the S3 path.
 */
import type { DataCounts, UploadResume } from '../counting/types.js';
import type { ObjectRecord } from '../store/objectRecords.js';

/** How an object ended; kept in the marker until its record is written. */
export interface ObjectOutcome {
  state: 'done' | 'failed';
  counts: DataCounts;
  error: string | null;
  endedAt: number;
}

export interface IngestMarker {
  key: string;
  etag: string;
  /** The lease owner of this object version (see ingestOwnerOf). */
  owner: string;
  bytesTotal: number;
  /**
   * Bytes of the object counted at the last commit; for a `.gz` object the
   * compressed bytes read by then, which is approximate.
   */
  bytesDone: number;
  /** Null until the first commit inside the object. */
  resume: UploadResume | null;
  /** The object's counts as of the last commit. */
  counts: DataCounts;
  receivedAt: number;
  startedAt: number;
  /**
   * Set once the final counts are committed: what remains is to write the
   * object record and clear this marker, and a later turn does only that.
   */
  outcome: ObjectOutcome | null;
}

export interface IngestSettings {
  /** Bytes per ranged GET and between commits (`ML_CHUNK_BYTES`). */
  chunkBytes: number;
  /**
   * How long the lease is held after each commit of an object
   * (`ML_INGEST_HOLD_MS`). It must outlast the time until the queue hands
   * the message out again after a crash (the visibility timeout), or
   * another writer may get in between two turns of one object.
   */
  holdMs: number;
  /**
   * Remaining Lambda time below which a turn stops at its last commit
   * (`ML_INGEST_MARGIN_MS`); it must cover reading and counting one chunk.
   */
  marginMs: number;
  /**
   * Whether an object of more than one chunk is counted on a worker
   * thread (`ML_COUNTING_THREAD`, see countingThread.ts). Off by default:
   * the local stack turns it on where the machine has two cores or more.
   */
  countingThread: boolean;
}

/** The record an ended object leaves. */
export function finishedRecord(
  jobId: string, marker: IngestMarker, outcome: ObjectOutcome,
): ObjectRecord {
  return {
    jobId,
    key: marker.key,
    etag: marker.etag,
    state: outcome.state,
    bytesTotal: marker.bytesTotal,
    bytesDone: outcome.state === 'done' ? marker.bytesTotal
      : marker.bytesDone,
    counts: outcome.counts,
    error: outcome.error,
    receivedAt: marker.receivedAt,
    startedAt: marker.startedAt,
    endedAt: outcome.endedAt,
  };
}

export function isIngestMarker(value: unknown): value is IngestMarker {
  const marker = value as Partial<IngestMarker> | null;
  return typeof marker?.key === 'string' && typeof marker.etag === 'string'
    && typeof marker.owner === 'string';
}
