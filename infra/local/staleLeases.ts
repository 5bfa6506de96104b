/**
 * One data folder serves one local server at a time (dataLock.ts), so a
 * writer lease found in the store at start was taken by a process that
 * died: it would answer every upload to its job with 429 until it expired
 * (60 s by default). Such a lease holds nothing back: an HTTP upload, an
 * open, close or flush commits only at its end, and releases the lease in
 * that same write, so a lease still there means that operation changed
 * nothing. A delete cut short has marked its job (JobStateItem.deleting);
 * deleting the job again, which needs the lease, ends it.
 *
 * The one lease kept is that of an S3 object cut short after its first
 * commit: the job's marker names it, the resume at start delivers the
 * object again under the same owner, and until then the lease keeps other
 * objects and uploads from coming in between its chunks.
 */
import { isIngestMarker } from '../../lib/jobs/ingestMarker.js';
import type { JobStore } from '../../lib/store/types.js';

export type LeaseSources = Pick<JobStore,
  'listJobs' | 'getState' | 'releaseLease'>;

/**
 * Releases every lease of a dead process; resolves to the ids of the jobs
 * whose lease it found stale. Each release is conditional on the owner and
 * the version read, so a lease taken meanwhile is never dropped; it must
 * still run before this process starts any writer of its own.
 */
export async function releaseStaleLeases(
  store: LeaseSources,
): Promise<string[]> {
  const released: string[] = [];
  for (const job of await store.listJobs()) {
    const state = await store.getState(job.job_id);
    if (state?.lease === null || state?.lease === undefined) continue;
    const marker = state.ingest;
    if (isIngestMarker(marker) && marker.owner === state.lease.owner) continue;

    await store.releaseLease(job.job_id, state.lease.owner, state.version);
    released.push(job.job_id);
  }
  return released;
}
