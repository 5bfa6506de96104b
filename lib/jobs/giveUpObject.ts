/**
 * An object whose message is on its last try, in the ingest function or
 * the local stand-in of the queue: it is recorded failed with the reason,
 * and a marker it left on the job is cleared so the job is free again.
 * The counts its earlier turns committed stay.
 */
import { emptyDataCounts } from '../counting/index.js';
import type { ObjectRecord } from '../store/objectRecords.js';
import type { IngestDeps, ObjectEvent } from './ingestObject.js';
import { takeIngestLease } from './ingestLease.js';
import {
  type ObjectOutcome, finishedRecord, isIngestMarker,
} from './ingestMarker.js';
import { ingestOwnerOf, jobIdOfKey } from './objectKeys.js';

export async function giveUpObject(
  deps: IngestDeps, event: ObjectEvent, reason: string,
): Promise<void> {
  const jobId = jobIdOfKey(event.key);
  const etag = event.etag ?? (await deps.objects.head(event.key))?.etag;
  if (jobId === undefined || etag === undefined) return;
  const existing = await deps.records.get(jobId, event.key, etag);
  if (existing?.state === 'done' || existing?.state === 'failed') return;

  const now = deps.now();
  const failed: ObjectRecord = {
    jobId, key: event.key, etag, state: 'failed', bytesTotal: 0,
    bytesDone: 0, counts: emptyDataCounts(), error: reason,
    receivedAt: event.receivedAt ?? now, startedAt: null, endedAt: now,
    ...existing && { bytesTotal: existing.bytesTotal },
  };
  const marker = (await deps.store.getState(jobId))?.ingest;
  const ours = isIngestMarker(marker) && marker.key === event.key
    && marker.etag === etag;
  if (!ours) {
    await deps.records.finish(failed);
    return;
  }

  const lease = await takeIngestLease({
    ...deps.config, store: deps.store, now: deps.now,
    holdMs: deps.settings.holdMs,
  }, jobId, ingestOwnerOf(event.key, etag));
  const outcome: ObjectOutcome = marker.outcome ?? {
    state: 'failed', counts: marker.counts, error: reason, endedAt: now,
  };
  await deps.records.finish(finishedRecord(jobId, marker, outcome));
  if (typeof lease === 'object') await lease.commit({ ingest: null });
}
